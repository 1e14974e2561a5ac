"""Reading settings whose shape differs between the formats, and whether a string
setting is filled (shared by the catalogue rule modules: cloudfront, apigateway, edge,
lambdas). Three-valued like every helper: True, False, or None when walint cannot know."""
from walint.api import OneOf, Ref, Unknown, decide


def block(res, name):
    """(value, path) of a setting that is a dict in CloudFormation and a one-block list in
    Terraform: the dict (or an Unknown, or None when absent) and its concrete path."""
    value, path = res.locate(name)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], (dict, Unknown)):
        return value[0], path + (0,)
    if isinstance(value, (dict, Unknown)):
        return value, path
    if not res.has(name):
        return None, ()
    if value is None or not isinstance(value, list) or not value:
        return None, path
    return Unknown(f"{name} cannot be read"), path


def items(res, name):
    """[(item, path)] of a list setting (CloudFront origins, cache behaviors)."""
    value, path = res.locate(name)
    if isinstance(value, (Unknown, OneOf)):
        return [(Unknown(f"{name} cannot be read"), path)]
    if not isinstance(value, list):
        return []
    return [(v, path + (i,)) for i, v in enumerate(value)]


def _filled(v):
    if isinstance(v, str):
        return bool(v.strip())
    if isinstance(v, Ref) or (isinstance(v, Unknown) and v.refs):
        return True         # a reference, or a string built from another resource's attribute
    return None


def is_set(value):
    """True/False/None: a string setting (a key, an ARN, a bucket) holds a non-empty value."""
    if value is None:
        return False
    if isinstance(value, Unknown):
        return _filled(value)
    return decide(value, _filled)
