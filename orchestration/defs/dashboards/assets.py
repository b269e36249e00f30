"""The dashboards: the served marts published to Superset, after every load that served them."""

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from dashboards.people import PEOPLE_FILE, publish_people
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
    "security, as dashboards/specs.yaml declares them, over the served marts; then the people of "
    "the roster as users (teachers with their own row-level security, principals, the district "
    "office and its data team from config/people.csv), leavers deactivated. Downstream of the "
    "served copy, so only data whose blocking checks passed is ever shown.",
)
def superset_dashboards(home: DistrictwideHome, superset: SupersetResource) -> MaterializeResult:
    layout = home.layout()
    client, served = superset.client(), dashboard_source(layout.serving)
    published = publish_dashboards(client, served)
    people = publish_people(client, served, published, layout.root / PEOPLE_FILE)
    urls = {slug: f"{superset.url}/superset/dashboard/{slug}/" for slug in published.dashboards}
    return MaterializeResult(
        metadata={
            "dashboards": MetadataValue.json(urls),
            "charts": len(published.charts),
            "school roles": len(published.roles) - 1,
            "changes": MetadataValue.json(dict(sorted(published.actions.items()))),
            "users": len(people.users),
            "users deactivated": len(people.deactivated),
            "user changes": MetadataValue.json(dict(sorted(people.actions.items()))),
        }
    )
