"""AWS Glue Data Catalog encryption settings (issue 15)."""
from walint.api import decide, rule, severity

from walint_rules._data import dig, is_true

_UNRESOLVED = "depends on a value walint cannot resolve"
_AT_REST = "data_catalog_encryption_settings.encryption_at_rest.catalog_encryption_mode"
_PASSWORDS = ("data_catalog_encryption_settings.connection_password_encryption."
              "return_connection_password_encrypted")


@rule(id="WAL-ENC-014", name="glue-catalog-encrypted",
      title="Glue Data Catalog encrypts metadata and connection passwords",
      pillar="security", category="encryption-at-rest", best_practice=("SEC08-BP02",),
      severity=severity(development="note", mvp="warning", production="warning", regulated="error"),
      checkov=("CKV_AWS_94",))
def glue_catalog_encrypted(graph):
    """The Glue Data Catalog encryption settings encrypt the catalog at rest with KMS
    (`CatalogEncryptionMode` `SSE-KMS` or `SSE-KMS-WITH-SERVICE-ROLE`) and encrypt the
    passwords of Glue connections (`ReturnConnectionPasswordEncrypted` true).

    ## Why
    The catalog holds table schemas, locations and partition metadata of the data lake,
    and Glue connections hold database passwords: readable by anyone who may call
    `GetTables` or `GetConnection` when they are not encrypted. SEC08-BP02 (enforce
    encryption at rest).

    ## Default
    Without settings the catalog is not encrypted. In `AWS::Glue::DataCatalogEncryptionSettings`
    / `aws_glue_data_catalog_encryption_settings`, `CatalogEncryptionMode` /
    `catalog_encryption_mode` defaults to `DISABLED` and
    `ReturnConnectionPasswordEncrypted` / `return_connection_password_encrypted` to false.
    The settings are one per account and Region: walint reads them when the scanned
    files declare them, and says nothing about an account whose files do not.

    ## Example
    ```yaml
    Resources:
      CatalogEncryption:
        Type: AWS::Glue::DataCatalogEncryptionSettings
        Properties:
          CatalogId: !Ref AWS::AccountId
          DataCatalogEncryptionSettings:
            EncryptionAtRest:
              CatalogEncryptionMode: DISABLED
            ConnectionPasswordEncryption:
              ReturnConnectionPasswordEncrypted: false
    ```
    ```hcl
    resource "aws_glue_data_catalog_encryption_settings" "catalog" {
      data_catalog_encryption_settings {
        connection_password_encryption {
          return_connection_password_encrypted = false
        }

        encryption_at_rest {
          catalog_encryption_mode = "DISABLED"
        }
      }
    }
    ```

    ## Fix
    ```yaml
    Resources:
      CatalogEncryption:
        Type: AWS::Glue::DataCatalogEncryptionSettings
        Properties:
          CatalogId: !Ref AWS::AccountId
          DataCatalogEncryptionSettings:
            EncryptionAtRest:
              CatalogEncryptionMode: SSE-KMS
              SseAwsKmsKeyId: alias/glue-catalog
            ConnectionPasswordEncryption:
              ReturnConnectionPasswordEncrypted: true
              KmsKeyId: alias/glue-catalog
    ```
    ```hcl
    resource "aws_glue_data_catalog_encryption_settings" "catalog" {
      data_catalog_encryption_settings {
        connection_password_encryption {
          return_connection_password_encrypted = true
          aws_kms_key_id                       = "arn:aws:kms:eu-west-1:123456789012:alias/glue-catalog"
        }

        encryption_at_rest {
          catalog_encryption_mode = "SSE-KMS"
          sse_aws_kms_key_id      = "arn:aws:kms:eu-west-1:123456789012:alias/glue-catalog"
        }
      }
    }
    ```
    """
    for s in graph.resources("glue_catalog_encryption"):
        mode = decide(dig(s, _AT_REST, "DISABLED"),
                      lambda m: m.upper().startswith("SSE-KMS") if isinstance(m, str) else None)
        if mode is False:
            yield s.finding(_AT_REST if s.has(_AT_REST) else None, f"Glue Data Catalog settings {s.address} "
                            "leave the catalog unencrypted (catalog_encryption_mode is not SSE-KMS)",
                            key="at-rest")
        elif mode is None:
            yield s.unknown(_AT_REST, f"catalog_encryption_mode {_UNRESOLVED}", key="at-rest")
        passwords = is_true(dig(s, _PASSWORDS), False)
        if passwords is False:
            yield s.finding(_PASSWORDS if s.has(_PASSWORDS) else None, f"Glue Data Catalog settings "
                            f"{s.address} return connection passwords unencrypted", key="passwords")
        elif passwords is None:
            yield s.unknown(_PASSWORDS, f"return_connection_password_encrypted {_UNRESOLVED}",
                            key="passwords")


RULES = [glue_catalog_encrypted]
