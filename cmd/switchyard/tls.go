package main

import (
	"crypto/tls"
	"errors"
	"fmt"
)

// serverTLS returns the TLS configuration of --tls-cert and --tls-key (PEM
// files: the certificate chain, leaf first, and its private key), or nil
// when neither is given and the API is served in plain HTTP. Giving one
// without the other is an error. TLS 1.2 is the oldest version offered,
// as for AWS's own endpoints. The files are read once, at start-up.
func serverTLS(certFile, keyFile string) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
