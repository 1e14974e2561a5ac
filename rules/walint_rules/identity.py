"""identity and key management: Cognito user pools, Secrets Manager rotation, KMS key
rotation (issue 15, the catalogue's identity and security layer).

CONTRACT.md has no authentication category: the Cognito and Secrets Manager rules sit in
`iam-least-privilege` (who may act, and with which credentials), the KMS rule in
`encryption-at-rest` (what the key protects).
"""
from walint.api import Unknown, as_bool, as_int, decide, options, rule, severity

from walint_rules._data import known_str


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else None


# ------------------------------------------------------------------------------ ENC-010

_NO_ROTATION = "the key material cannot rotate automatically"


def _rotation_exempt(key):
    """(True/False/None, why): keys AWS KMS cannot rotate automatically (asymmetric, HMAC,
    imported key material, custom key stores)."""
    spec_attr = "key_spec" if key.format == "cloudformation" else "customer_master_key_spec"
    spec = decide(key.get(spec_attr, "SYMMETRIC_DEFAULT"),
                  lambda s: _upper(s) != "SYMMETRIC_DEFAULT" if isinstance(s, str) else None)
    if spec is not False:
        return spec, spec_attr
    if key.format == "cloudformation":
        origin = decide(key.get("origin", "AWS_KMS"),
                        lambda o: _upper(o) == "EXTERNAL" if isinstance(o, str) else None)
        return origin, "origin"
    for attr in ("custom_key_store_id", "xks_key_id"):
        if key.get(attr) is not None:
            return True, attr
    return False, None


@rule(id="WAL-ENC-010", name="kms-key-rotation", title="KMS customer managed keys rotate automatically",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_7",))
def kms_key_rotation(graph):
    """A customer managed symmetric encryption KMS key has automatic key rotation on.
    Asymmetric and HMAC keys, keys with imported material and keys in a custom key store
    cannot rotate automatically and are exempt.

    ## Why
    Rotation gives the key new cryptographic material every year (or the period you set)
    while old ciphertext stays readable, which bounds how much data one key version
    protects and is a control that CIS, PCI DSS and HIPAA audits ask for. SEC08-BP01
    (implement secure key management).

    ## Default
    `EnableKeyRotation` / `enable_key_rotation` defaults to false in both formats; the key
    spec defaults to `SYMMETRIC_DEFAULT` (`KeySpec` / `customer_master_key_spec`), so a
    key that leaves both out is a rotatable key without rotation. Exempt: any other key
    spec, CloudFormation `Origin: EXTERNAL`, Terraform `custom_key_store_id` /
    `xks_key_id`.

    ## Example
    ```yaml
    Resources:
      DataKey:
        Type: AWS::KMS::Key
        Properties:
          Description: data key
          EnableKeyRotation: false
    ```
    ```hcl
    resource "aws_kms_key" "data" {
      description = "data key"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      DataKey:
        Type: AWS::KMS::Key
        Properties:
          Description: data key
          EnableKeyRotation: true
    ```
    ```hcl
    resource "aws_kms_key" "data" {
      description         = "data key"
      enable_key_rotation = true
    }
    ```

    ## Trade-off
    Each rotation keeps the old key material: the first and second rotations each add
    about $1 a month to the key's cost (later ones are free). Rotation does not re-encrypt
    data, so there is no downtime.
    """
    for key in graph.resources("kms_key"):
        exempt, why = _rotation_exempt(key)
        if exempt is True:
            continue
        if exempt is None:
            yield key.unknown(why, f"whether {_NO_ROTATION.replace('cannot', 'can')} is unknown "
                              f"({why} depends on a value walint cannot resolve)")
            continue
        verdict = decide(key.get("enable_key_rotation", False), as_bool)
        if verdict is False:
            name = "EnableKeyRotation" if key.format == "cloudformation" else "enable_key_rotation"
            why = f"{name} is false" if key.has("enable_key_rotation") else f"{name} is not set; the default is false"
            yield key.finding("enable_key_rotation", f"KMS key {key.address} is a symmetric customer "
                              f"managed key without automatic rotation ({why})")
        elif verdict is None:
            yield key.unknown("enable_key_rotation", "enable_key_rotation depends on a value walint "
                              "cannot resolve")


# ------------------------------------------------------------------------------ IAM-009


def _rotation_state(graph, secret):
    """(True/False/None, rotation resource or None) for one secret."""
    for r in graph.referrers(secret, kind="secret_rotation", via="secret_id"):
        if not r.optional:
            return True, r
    undecided = None
    for r in graph.resources("secret_rotation"):
        if r.scope != secret.scope:
            continue
        targets = graph.targets(r, r.get("secret_id"))
        if not targets or any(isinstance(t, Unknown) for t in targets):
            undecided = r
        elif r.optional and any(t is secret for t in targets):
            undecided = r
    if undecided is not None:
        return None, undecided
    return False, None


@rule(id="WAL-IAM-009", name="secrets-rotation", title="Secrets Manager secrets rotate automatically",
      pillar="security", category="iam-least-privilege", best_practice=("SEC02-BP05", "SEC02-BP03"),
      severity=severity(development="note", mvp="note", production="warning", regulated="error"),
      checkov=("CKV2_AWS_57",))
def secrets_rotation(graph):
    """A Secrets Manager secret has a rotation schedule: an
    `AWS::SecretsManager::RotationSchedule` / `aws_secretsmanager_secret_rotation` that
    names it.

    ## Why
    A credential that never changes stays valid for whoever copied it: from a log, a
    laptop, a former colleague. Automatic rotation bounds that window and proves the
    application can survive a change of credential. SEC02-BP05 (audit and rotate
    credentials periodically), SEC02-BP03 (store and use secrets securely).

    ## Default
    A secret has no rotation unless a rotation schedule names it (`SecretId` /
    `secret_id`, by reference to the secret in the same template or module). When a
    rotation schedule in the same template or module names its secret through a value
    walint cannot resolve (a parameter, a variable), the secrets without a known schedule
    are unknown, not findings. RDS and Redshift master passwords managed by the service
    (`ManageMasterUserPassword`) rotate on their own and are not declared as secrets.

    ## Example
    ```yaml
    Resources:
      ApiToken:
        Type: AWS::SecretsManager::Secret
        Properties:
          Description: token of the payments API
    ```
    ```hcl
    resource "aws_secretsmanager_secret" "api_token" {
      name = "payments-api-token"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      ApiToken:
        Type: AWS::SecretsManager::Secret
        Properties:
          Description: token of the payments API
      ApiTokenRotation:
        Type: AWS::SecretsManager::RotationSchedule
        Properties:
          SecretId: !Ref ApiToken
          RotationLambdaARN: arn:aws:lambda:us-east-1:123456789012:function:rotate-token
          RotationRules:
            AutomaticallyAfterDays: 30
    ```
    ```hcl
    resource "aws_secretsmanager_secret" "api_token" {
      name = "payments-api-token"
    }

    resource "aws_secretsmanager_secret_rotation" "api_token" {
      secret_id           = aws_secretsmanager_secret.api_token.id
      rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-token"

      rotation_rules {
        automatically_after_days = 30
      }
    }
    ```

    ## Trade-off
    Rotation needs a rotation function (AWS provides them for RDS, Redshift and
    DocumentDB; a third-party token needs your own) and an application that re-reads the
    secret. A secret that cannot rotate (a partner's static key) is a documented
    suppression with its reason.
    """
    for secret in graph.resources("secret"):
        state, rotation = _rotation_state(graph, secret)
        if state is True:
            continue
        if state is None:
            yield secret.unknown(None, f"rotation schedule {rotation.address} names a secret walint cannot "
                                 "resolve, so whether this secret rotates is unknown")
            continue
        yield secret.finding(None, f"Secrets Manager secret {secret.address} has no rotation schedule: "
                             "the credential stays valid until someone changes it by hand")


# ------------------------------------------------------------------------------ IAM-006

_MFA_ATTR = "mfa_configuration"


@rule(id="WAL-IAM-006", name="cognito-mfa", title="Cognito user pools offer or require MFA",
      pillar="security", category="iam-least-privilege", best_practice=("SEC02-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=())
def cognito_mfa(graph):
    """A Cognito user pool has multi-factor authentication `OPTIONAL` (users may enrol a
    second factor) or `ON` (every user must).

    ## Why
    With MFA off, a leaked or guessed password is a taken-over account; Cognito cannot
    even let the users who want a second factor use one. SEC02-BP01 (use strong sign-in
    mechanisms). `regulated` workloads should set `ON`.

    ## Default
    `MfaConfiguration` / `mfa_configuration` defaults to `OFF` in both formats. `ON` and
    `OPTIONAL` need a second factor configured (software tokens, SMS or email), which the
    service itself checks at deployment.

    ## Example
    ```yaml
    Resources:
      Users:
        Type: AWS::Cognito::UserPool
        Properties:
          UserPoolName: customers
    ```
    ```hcl
    resource "aws_cognito_user_pool" "users" {
      name              = "customers"
      mfa_configuration = "OFF"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Users:
        Type: AWS::Cognito::UserPool
        Properties:
          UserPoolName: customers
          MfaConfiguration: OPTIONAL
          EnabledMfas: [SOFTWARE_TOKEN_MFA]
    ```
    ```hcl
    resource "aws_cognito_user_pool" "users" {
      name              = "customers"
      mfa_configuration = "OPTIONAL"

      software_token_mfa_configuration {
        enabled = true
      }
    }
    ```

    ## Trade-off
    Time-based one-time passwords cost nothing; SMS codes are billed per message. A pool
    whose users all sign in through a federated identity provider gets MFA from that
    provider: suppress the finding there with that reason.
    """
    for pool in graph.resources("cognito_user_pool"):
        verdict = decide(pool.get(_MFA_ATTR, "OFF"),
                         lambda m: _upper(m) in ("ON", "OPTIONAL") if isinstance(m, str) else None)
        if verdict is False:
            yield pool.finding(_MFA_ATTR, f"Cognito user pool {pool.address} has MFA off: a password is "
                               "the only factor")
        elif verdict is None:
            yield pool.unknown(_MFA_ATTR, "mfa_configuration depends on a value walint cannot resolve")


# ------------------------------------------------------------------------------ IAM-007

_ASM = "advanced_security_mode"


@rule(id="WAL-IAM-007", name="cognito-threat-protection",
      title="Cognito threat protection (advanced security) enforced (regulated)",
      pillar="security", category="iam-least-privilege", best_practice=("SEC02-BP01", "SEC04-BP01"),
      severity=severity(development="off", mvp="off", production="note", regulated="error"),
      checkov=())
def cognito_threat_protection(graph):
    """A Cognito user pool runs threat protection (advanced security features) in
    `ENFORCED` mode, which blocks or challenges sign-ins from compromised credentials and
    risky contexts; `AUDIT` only records them.

    ## Why
    Credential stuffing and leaked passwords are the common way into user accounts.
    Threat protection checks each sign-in against known compromised credentials and a
    risk score, and can require MFA or block when the risk is high; the events also give
    the audit trail a regulated workload needs. SEC02-BP01 (use strong sign-in
    mechanisms), SEC04-BP01 (configure logging).

    ## Default
    `UserPoolAddOns.AdvancedSecurityMode` / `user_pool_add_ons.advanced_security_mode`
    is `OFF` when absent. Since November 2024 the feature needs the Plus feature plan
    (`UserPoolTier` / `user_pool_tier` `PLUS`). A finding in `regulated` only; in
    `production` a note.

    ## Example
    ```yaml
    Resources:
      Users:
        Type: AWS::Cognito::UserPool
        Properties:
          UserPoolName: patients
          UserPoolAddOns:
            AdvancedSecurityMode: AUDIT
    ```
    ```hcl
    resource "aws_cognito_user_pool" "users" {
      name = "patients"
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Users:
        Type: AWS::Cognito::UserPool
        Properties:
          UserPoolName: patients
          UserPoolTier: PLUS
          UserPoolAddOns:
            AdvancedSecurityMode: ENFORCED
    ```
    ```hcl
    resource "aws_cognito_user_pool" "users" {
      name           = "patients"
      user_pool_tier = "PLUS"

      user_pool_add_ons {
        advanced_security_mode = "ENFORCED"
      }
    }
    ```

    ## Trade-off
    The Plus plan is billed per monthly active user, several times the Essentials price:
    worth it where accounts hold regulated data, which is why the rule is off below
    `production` and a note there.
    """
    for pool in graph.resources("cognito_user_pool"):
        mode = pool.get(_ASM, "OFF")
        verdict = decide(mode, lambda m: _upper(m) == "ENFORCED" if isinstance(m, str) else None)
        if verdict is False:
            shown = _upper(known_str(mode)) or "OFF"
            what = "only audits sign-ins" if shown == "AUDIT" else "is off"
            yield pool.finding(_ASM, f"Cognito user pool {pool.address}: threat protection {what} "
                               f"(AdvancedSecurityMode {shown}): risky sign-ins are not blocked")
        elif verdict is None:
            yield pool.unknown(_ASM, "advanced_security_mode depends on a value walint cannot resolve")


# ------------------------------------------------------------------------------ IAM-008

_MIN_LENGTH = 8
_LEN = "minimum_length"


@rule(id="WAL-IAM-008", name="cognito-password-length", title="Cognito password policy: at least 8 characters",
      pillar="security", category="iam-least-privilege", best_practice=("SEC02-BP01",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=())
def cognito_password_length(graph):
    """A Cognito user pool's password policy requires at least 8 characters.

    ## Why
    Length is what makes a password hard to guess; NIST SP 800-63B sets 8 characters as
    the minimum for a user-chosen password and advises against composition rules (so the
    rule checks length, not character classes). Cognito accepts a minimum as low as 6.
    SEC02-BP01 (use strong sign-in mechanisms).

    ## Default
    Without a password policy Cognito applies its default: minimum length 8 with
    upper-case, lower-case, number and symbol required. A policy that leaves
    `MinimumLength` / `minimum_length` out gets 8 as well. Only an explicit minimum below
    8 is a finding.

    ## Example
    ```yaml
    Resources:
      Users:
        Type: AWS::Cognito::UserPool
        Properties:
          UserPoolName: customers
          Policies:
            PasswordPolicy:
              MinimumLength: 6
    ```
    ```hcl
    resource "aws_cognito_user_pool" "users" {
      name = "customers"

      password_policy {
        minimum_length = 6
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      Users:
        Type: AWS::Cognito::UserPool
        Properties:
          UserPoolName: customers
          Policies:
            PasswordPolicy:
              MinimumLength: 12
    ```
    ```hcl
    resource "aws_cognito_user_pool" "users" {
      name = "customers"

      password_policy {
        minimum_length = 12
      }
    }
    ```

    ## Trade-off
    Longer minimums mean more forgotten passwords and support requests; a password
    manager-friendly sign-in page and MFA (WAL-IAM-006) matter more than going far past
    the minimum.
    """
    for pool in graph.resources("cognito_user_pool"):
        value = pool.get(_LEN, _MIN_LENGTH)
        verdict = decide(value, lambda n: as_int(n) >= _MIN_LENGTH if as_int(n) is not None else None)
        if verdict is False:
            shown = max(as_int(n) for n in options(value))
            yield pool.finding(_LEN, f"Cognito user pool {pool.address} accepts passwords of "
                               f"{shown} characters: fewer than {_MIN_LENGTH}")
        elif verdict is None:
            yield pool.unknown(_LEN, "the minimum password length depends on a value walint cannot resolve")


RULES = [kms_key_rotation, secrets_rotation, cognito_mfa, cognito_threat_protection, cognito_password_length]
