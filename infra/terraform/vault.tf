# The Kubernetes credential of the function: the ocipam-allocator ServiceAccount token, in OCI Vault. The function
# configuration only names the secret (OCIPAM_KUBE_TOKEN_SECRET_ID); the function reads it with GetSecretBundle.

resource "oci_vault_secret" "kube_token" {
  compartment_id = var.compartment_id
  vault_id       = var.vault_id
  key_id         = var.vault_key_id
  secret_name    = "${local.name}-kube-token"
  description    = "Kubernetes ServiceAccount token of ocipam-allocator (${var.cluster_name})"
  freeform_tags  = local.freeform_tags
  defined_tags   = var.defined_tags

  secret_content {
    content_type = "BASE64"
    content      = var.kubernetes_token_base64
    stage        = "CURRENT"
  }
}
