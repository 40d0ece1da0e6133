# How the function reaches the Kubernetes API: a ServiceAccount token kept in OCI Vault (OCIPAM_KUBE_AUTH=vault).

variable "kubernetes_api_server" {
  description = "OCIPAM_KUBE_API_SERVER: URL of the Kubernetes API as reachable from function_subnet_ids, e.g. https://10.0.0.5:6443 (OKE private endpoint)."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s/]+(:[0-9]+)?/?$", var.kubernetes_api_server))
    error_message = "kubernetes_api_server must be an https:// URL of the API server (host and optional port)."
  }
}

variable "kubernetes_ca_cert_pem" {
  description = "PEM of the API server's CA (OCIPAM_KUBE_CA_CERT, stored base64-encoded). Not secret. `kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d`."
  type        = string
  default     = null

  validation {
    condition     = var.kubernetes_ca_cert_pem == null || can(regex("-----BEGIN CERTIFICATE-----", coalesce(var.kubernetes_ca_cert_pem, "x")))
    error_message = "kubernetes_ca_cert_pem must be a PEM certificate."
  }
}

variable "kubernetes_namespace" {
  description = "OCIPAM_NAMESPACE: namespace of the project's in-cluster objects and per-node Leases (infra/kubernetes/namespace.yaml)."
  type        = string
  default     = "ocipam-system"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.kubernetes_namespace))
    error_message = "kubernetes_namespace must be a Kubernetes namespace name."
  }
}

variable "vault_id" {
  description = "OCI Vault that stores the Kubernetes token secret."
  type        = string

  validation {
    condition     = startswith(var.vault_id, "ocid1.vault.")
    error_message = "vault_id must be a vault OCID (ocid1.vault....)."
  }
}

variable "vault_key_id" {
  description = "Master encryption key (in vault_id) that encrypts the secret."
  type        = string

  validation {
    condition     = startswith(var.vault_key_id, "ocid1.key.")
    error_message = "vault_key_id must be a key OCID (ocid1.key....)."
  }
}

variable "kubernetes_token_base64" {
  description = "Base64 of the ocipam-allocator ServiceAccount token, exactly `kubectl -n ocipam-system get secret ocipam-allocator-token -o jsonpath='{.data.token}'`. Ends up in the Terraform state: keep the state encrypted and access-controlled."
  type        = string
  sensitive   = true

  validation {
    condition     = can(base64decode(var.kubernetes_token_base64)) && length(var.kubernetes_token_base64) > 0
    error_message = "kubernetes_token_base64 must be base64 (the .data.token field of the token Secret, as kubectl prints it)."
  }
}
