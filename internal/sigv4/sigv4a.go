package sigv4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/switchyard/switchyard/internal/eventbus"
)

// headerRegionSet and queryRegionSet carry SigV4a's region set, which takes
// the place of the region in the credential scope.
const (
	headerRegionSet = "X-Amz-Region-Set"
	queryRegionSet  = "X-Amz-Region-Set"
)

// sigv4aPublicKey derives the P-256 key SigV4a signs with from an access key
// pair, as the AWS SDKs do: candidate scalars come from an HMAC-SHA256
// counter-mode KDF (NIST SP 800-108) keyed with "AWS4A"+secret, labelled with
// the algorithm name, over the key id and a one-byte counter; the first one
// below n-2 is taken, plus one.
func sigv4aPublicKey(keyID, secret string) (*ecdsa.PublicKey, error) {
	curve := elliptic.P256()
	limit := new(big.Int).Sub(curve.Params().N, big.NewInt(2))
	mac := []byte("AWS4A" + secret)
	for counter := 1; counter <= 0xff; counter++ {
		// fixed input: label 0x00 context L, where context is keyID||counter
		// and L the output length in bits; one 256-bit block, index 1.
		var in []byte
		in = binary.BigEndian.AppendUint32(in, 1)
		in = append(in, algorithmECDSA...)
		in = append(in, 0)
		in = append(in, keyID...)
		in = append(in, byte(counter))
		in = binary.BigEndian.AppendUint32(in, 256)
		candidate := new(big.Int).SetBytes(hmacSHA256(mac, string(in)))
		if candidate.Cmp(limit) >= 0 {
			continue
		}
		d := candidate.Add(candidate, big.NewInt(1)).FillBytes(make([]byte, 32))
		priv, err := ecdsa.ParseRawPrivateKey(curve, d)
		if err != nil {
			return nil, err
		}
		return &priv.PublicKey, nil
	}
	return nil, errors.New("sigv4a key derivation exhausted its counter")
}

// verifyECDSA checks a SigV4a signature: hex DER ECDSA over the SHA-256 of
// the string to sign.
func verifyECDSA(key *ecdsa.PublicKey, date time.Time, scope Scope, canonical, signature string) bool {
	sig, err := hex.DecodeString(signature)
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(canonical))
	sts := algorithmECDSA + "\n" + date.Format(amzDateLayout) + "\n" +
		scope.Date + "/" + scope.Service + "/" + scope.Terminator + "\n" + hex.EncodeToString(sum[:])
	digest := sha256.Sum256([]byte(sts))
	return ecdsa.VerifyASN1(key, digest[:], sig)
}

// regionSetMatches reports whether region is in a SigV4a region set: a
// comma-separated list of region names in which '*' matches any run of
// characters.
func regionSetMatches(set, region string) bool {
	for _, pattern := range strings.Split(set, ",") {
		if eventbus.WildcardMatch(strings.TrimSpace(pattern), region, false) {
			return true
		}
	}
	return false
}
