package tlspolicy

import (
	"crypto/x509"
	"errors"
)

// ResultType is a TLSRPT failure result type (RFC 8460 §4.3), as written in
// the "result-type" member of a report.
type ResultType string

// The result types of RFC 8460 §4.3.
const (
	// Negotiation failures.
	ResultSTARTTLSNotSupported    ResultType = "starttls-not-supported"
	ResultCertificateHostMismatch ResultType = "certificate-host-mismatch"
	ResultCertificateExpired      ResultType = "certificate-expired"
	ResultCertificateNotTrusted   ResultType = "certificate-not-trusted"
	ResultValidationFailure       ResultType = "validation-failure"
	// Policy failures.
	ResultTLSAInvalid         ResultType = "tlsa-invalid"
	ResultDNSSECInvalid       ResultType = "dnssec-invalid"
	ResultDANERequired        ResultType = "dane-required"
	ResultSTSPolicyFetchError ResultType = "sts-policy-fetch-error"
	ResultSTSPolicyInvalid    ResultType = "sts-policy-invalid"
	ResultSTSWebPKIInvalid    ResultType = "sts-webpki-invalid"
)

// PolicyType is the "policy-type" of a TLSRPT report (RFC 8460 §4.4).
type PolicyType string

// The policy types.
const (
	PolicyTLSA          PolicyType = "tlsa"
	PolicySTS           PolicyType = "sts"
	PolicyNoPolicyFound PolicyType = "no-policy-found"
)

// ResultTypeOf classifies an error from a TLS handshake made with a
// configuration from this package, or from ParseMTASTS, into a result type:
// x509 name, expiry and authority errors map to their own types, MTA-STS
// parse errors to sts-policy-invalid, ErrNoUsableTLSA to tlsa-invalid, and
// everything else (a fingerprint or TLSA mismatch) to validation-failure.
func ResultTypeOf(err error) ResultType {
	var (
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		authErr    x509.UnknownAuthorityError
		stsErr     *MTASTSError
	)
	switch {
	case errors.As(err, &hostErr):
		return ResultCertificateHostMismatch
	case errors.As(err, &invalidErr) && invalidErr.Reason == x509.Expired:
		return ResultCertificateExpired
	case errors.As(err, &authErr):
		return ResultCertificateNotTrusted
	case errors.As(err, &stsErr):
		return ResultSTSPolicyInvalid
	case errors.Is(err, ErrNoUsableTLSA):
		return ResultTLSAInvalid
	}
	return ResultValidationFailure
}
