"""The read API's schemas (marshmallow, documented by flask-smorest into the OpenAPI document):
the query arguments each endpoint takes and the JSON it answers. Lists carry limit/offset
pagination (`Page`): at most MAX_LIMIT items a page."""
import marshmallow as ma
from marshmallow import validate

from app.services.api.read import GROUPINGS
from app.services.core.text import DB_INT_MAX

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
YEAR = validate.Regexp(r"^\d{4}-\d{4}$", error="a year is written 2026-2027")
TERM = validate.Regexp(r"^(quarter|semester|year)-\d{1,2}$", error="a term is written quarter-2, semester-1 or year-1")


class Query(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # ?lang= and other parameters of the site are ignored


class PageArgs(Query):
    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT),
                              metadata={"description": f"items per page, at most {MAX_LIMIT}"})
    offset = ma.fields.Integer(load_default=0, validate=validate.Range(0, 10**9),
                               metadata={"description": "items to skip"})


class SchoolArgs(PageArgs):
    school_id = ma.fields.Integer(validate=validate.Range(1, DB_INT_MAX),
                                  metadata={"description": "one school of the token's scope (default: all of them)"})


class YearArgs(SchoolArgs):
    year = ma.fields.String(validate=YEAR, metadata={"description": "the academic year by name, e.g. 2026-2027 "
                                                                     "(default: the current year of most schools)"})


class ResultArgs(YearArgs):
    term = ma.fields.String(validate=TERM, metadata={
        "description": "kind-number: quarter-2, semester-1, or year-1 for the year's marks (default: the latest "
                       "term with marks)"})
    by = ma.fields.String(load_default="school", validate=validate.OneOf(GROUPINGS),
                          metadata={"description": "grouping: school, class, grade or subject"})


class CampaignArgs(Query):
    campaign_id = ma.fields.Integer(required=True, validate=validate.Range(1, DB_INT_MAX))


class Page(ma.Schema):
    total = ma.fields.Integer(metadata={"description": "items in all pages"})
    limit = ma.fields.Integer()
    offset = ma.fields.Integer()


class SchoolOut(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    name_ru = ma.fields.String(allow_none=True)
    district_id = ma.fields.Integer(allow_none=True)


class SchoolPage(Page):
    items = ma.fields.List(ma.fields.Nested(SchoolOut))


class YearOut(ma.Schema):
    id = ma.fields.Integer()
    school_id = ma.fields.Integer()
    name = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    is_current = ma.fields.Boolean()


class YearPage(Page):
    items = ma.fields.List(ma.fields.Nested(YearOut))


class IndicatorOut(ma.Schema):
    school_id = ma.fields.Integer()
    key = ma.fields.String()
    name = ma.fields.String(metadata={"description": "in the language of Accept-Language"})
    direction = ma.fields.Integer(metadata={"description": "monitoring direction 1-7"})
    unit = ma.fields.String()
    good = ma.fields.String(metadata={"description": "higher or lower is better"})
    value = ma.fields.Float(allow_none=True)
    n = ma.fields.Integer(allow_none=True)
    target = ma.fields.Float(allow_none=True)
    threshold = ma.fields.Float(allow_none=True)
    status = ma.fields.String()
    basis = ma.fields.String(allow_none=True, metadata={"description": "computed, records, entered or none"})


class IndicatorPage(Page):
    year = ma.fields.String(allow_none=True)
    items = ma.fields.List(ma.fields.Nested(IndicatorOut))


class ResultOut(ma.Schema):
    school_id = ma.fields.Integer(allow_none=True, metadata={"description": "null: the whole district"})
    group = ma.fields.Raw(allow_none=True, metadata={"description": "class name, grade, subject name, or null"})
    class_id = ma.fields.Integer()
    grade = ma.fields.Integer(allow_none=True)
    n = ma.fields.Integer(metadata={"description": "students with a mark (the absent apart)"})
    n5 = ma.fields.Integer()
    n4 = ma.fields.Integer()
    n3 = ma.fields.Integer()
    n2 = ma.fields.Integer()
    n1 = ma.fields.Integer()
    absent = ma.fields.Integer()
    pass_rate = ma.fields.Float(allow_none=True, metadata={"description": "(n5+n4+n3)/n x 100, 1 decimal"})
    quality = ma.fields.Float(allow_none=True, metadata={"description": "(n5+n4)/n x 100, 1 decimal"})
    sou = ma.fields.Float(allow_none=True, metadata={"description": "(100n5+64n4+36n3+16n2+7n1)/n, 1 decimal"})
    mean = ma.fields.Float(allow_none=True, metadata={"description": "mean mark, 2 decimals"})


class ResultPage(Page):
    year = ma.fields.String(allow_none=True)
    term = ma.fields.String(allow_none=True)
    by = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(ResultOut))


class CampaignOut(ma.Schema):
    id = ma.fields.Integer()
    school_id = ma.fields.Integer()
    title = ma.fields.String()
    questionnaire = ma.fields.String()
    audience = ma.fields.String()
    status = ma.fields.String()
    opens_on = ma.fields.Date(allow_none=True)
    closes_on = ma.fields.Date(allow_none=True)
    year = ma.fields.String(allow_none=True)
    min_group_size = ma.fields.Integer()
    released = ma.fields.Boolean(metadata={"description": "closed: its figures may be shown"})
    respondents = ma.fields.Integer()


class CampaignPage(Page):
    items = ma.fields.List(ma.fields.Nested(CampaignOut))


class ScaleOut(ma.Schema):
    key = ma.fields.String()
    index = ma.fields.Float(allow_none=True, metadata={"description": "0-100; null when not shown"})
    mean = ma.fields.Float(allow_none=True)
    n = ma.fields.Integer(allow_none=True)


class ClassScaleOut(ma.Schema):
    key = ma.fields.String()
    index = ma.fields.Float(allow_none=True)


class ClassOut(ma.Schema):
    label = ma.fields.String()
    suppressed = ma.fields.Boolean(metadata={"description": "hidden by the minimum-group rule"})
    responses = ma.fields.Integer(allow_none=True)
    expected = ma.fields.Integer(allow_none=True)
    rate = ma.fields.Float(allow_none=True)
    rate_over = ma.fields.Boolean()
    scales = ma.fields.List(ma.fields.Nested(ClassScaleOut))


class SurveyIndicesOut(CampaignOut):
    shown = ma.fields.Boolean(metadata={"description": "closed and at least the minimum group answered"})
    scales = ma.fields.List(ma.fields.Nested(ScaleOut))
    classes = ma.fields.List(ma.fields.Nested(ClassOut))


class ErrorOut(ma.Schema):
    code = ma.fields.Integer()
    status = ma.fields.String()
    message = ma.fields.String(metadata={"description": "in the language of Accept-Language (ky, ru, en)"})
    errors = ma.fields.Dict(metadata={"description": "the refused parameters"})
