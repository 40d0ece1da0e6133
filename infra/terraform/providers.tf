# Resources of the deployment live in var.region. IAM resources (dynamic groups, policies) can only be written in
# the tenancy's home region, hence the aliased provider used by iam.tf.
provider "oci" {
  region = var.region
}

provider "oci" {
  alias  = "home"
  region = coalesce(var.home_region, var.region)
}
