"""Forms of the dashboard's overlay layers: upload one, delete one."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from casemgr.dashboard.overlays import MAX_NAME


class LayerUploadForm(FlaskForm):
    name = StringField(
        _l("Layer name"),
        validators=[DataRequired(_l("Give the layer a name.")), Length(max=MAX_NAME)],
        description=_l("Shown in the map's layer list, e.g. Storm drains"),
    )
    geojson = FileField(
        _l("GeoJSON file"),
        validators=[FileRequired(_l("Choose a GeoJSON file."))],
        description=_l("A FeatureCollection in longitude/latitude (WGS 84)"),
    )


class LayerDeleteForm(FlaskForm):
    """Only the CSRF token: the layer is named by the URL."""
