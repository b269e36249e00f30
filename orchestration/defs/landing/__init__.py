"""Landing: one asset per raw table a vendor delivers (`orchestration.assets.raw`), and the
sensor that starts a load when new files arrive."""
