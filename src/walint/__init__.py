"""walint: a Well-Architected compliance linter for CloudFormation and Terraform."""
__version__ = "0.1.0"
