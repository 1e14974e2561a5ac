"""Resource policies open to everyone: one reading for OpenSearch access policies, SNS
topic, SQS queue and EventBridge bus policies (WAL-PUB-004..006).

A statement is open when it allows, to `Principal: "*"` (or `{"AWS": "*"}`, or a
`NotPrincipal`), with no condition that narrows who it applies to. The narrowing keys
are the ones WAL-PUB-001 accepts for bucket policies (`_s3.RESTRICTING_KEYS`:
aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:PrincipalOrgID, aws:SourceVpce...,
and aws:SourceIp without 0.0.0.0/0); the list lives there only.
"""
from walint.api import Unknown

from walint_rules._s3 import (and3, effect_is, load_document, principal_is_everyone,
                              restricted_by_condition, statements)


def open_statements(value, attr):
    """[(path, verdict, index)] for each statement of a policy value that may be open:
    verdict True (open), or an Unknown saying why it is undecided. A policy walint
    cannot read gives one (attr, Unknown, None) entry; a closed policy gives none."""
    doc = load_document(value)
    if isinstance(doc, Unknown):
        return [(attr, doc, None)]
    out = []
    # a CloudFormation document outside the OPAQUE properties has snake-cased keys
    key = next((k for k in value if isinstance(k, str) and k.lower() == "statement"), None) \
        if isinstance(value, dict) else None
    listed = key is not None and isinstance(value[key], list)
    for i, st in statements(doc):
        path = (attr, key, i) if listed else attr
        if not isinstance(st, dict):
            out.append((path, Unknown("a statement cannot be read"), i))
            continue
        restricted = restricted_by_condition(st)
        verdict = and3(effect_is(st, "Allow"), principal_is_everyone(st),
                       None if restricted is None else not restricted)
        if verdict is None:
            out.append((path, Unknown("the effect, principal or condition of a statement depends "
                                      "on a value walint cannot resolve"), i))
        elif verdict is True:
            out.append((path, True, i))
    return out
