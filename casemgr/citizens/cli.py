"""Commands of the citizen's side: retrain the category classifier, set duplicate radii."""

import click
from flask.cli import with_appcontext


@click.command("train-classifier")
@with_appcontext
def train_classifier():
    """Learn the category suggestions again from the city's classified cases."""
    from casemgr.citizens import classifier

    try:
        count = classifier.retrain()
    except classifier.NotEnoughCases as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"category classifier trained on {count} cases: {classifier.model_path()}")


@click.command("duplicate-radius")
@click.argument("category_code")
@click.argument("metres", type=click.IntRange(0, 5000))
@with_appcontext
def duplicate_radius(category_code, metres):
    """Offer open reports within METRES of a new one as duplicates (0 turns it off)."""
    from casemgr.cases import service as cases
    from casemgr.citizens import service

    category = cases.category_by_code(category_code)
    if category is None:
        raise click.ClickException(f"there is no category {category_code!r}")
    service.set_duplicate_radius(category, metres)
    click.echo(f"{category.code}: duplicates within {metres} m" if metres
               else f"{category.code}: no duplicate suggestions")
