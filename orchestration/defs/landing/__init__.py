"""Landing: one asset per raw table a vendor delivers (`orchestration.defs.landing.assets`), and the
sensor that starts a load when new files arrive."""
