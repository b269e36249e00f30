"""The dashboards: the served marts published to Superset, after every load that served them."""

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from dashboards.publish import publish_dashboards
from orchestration.defs.serving.assets import served_marts
from orchestration.resources import DistrictwideHome, SupersetResource
from serving.served import dashboard_source


@asset(
    key=AssetKey(["serving", "dashboards"]),
    deps=[served_marts],
    group_name="serving",
    owners=["team:data-office"],
    kinds={"superset"},
    description="Superset's database, datasets, charts, dashboards, school roles and row-level "
    "security, as dashboards/specs.yaml declares them, over the served marts. Downstream of the "
    "served copy, so only data whose blocking checks passed is ever shown.",
)
def superset_dashboards(home: DistrictwideHome, superset: SupersetResource) -> MaterializeResult:
    published = publish_dashboards(superset.client(), dashboard_source(home.layout().serving))
    urls = {slug: f"{superset.url}/superset/dashboard/{slug}/" for slug in published.dashboards}
    return MaterializeResult(
        metadata={
            "dashboards": MetadataValue.json(urls),
            "charts": len(published.charts),
            "school roles": len(published.roles) - 1,
            "changes": MetadataValue.json(dict(sorted(published.actions.items()))),
        }
    )
