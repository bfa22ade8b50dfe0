// Package interop holds the tests that drive the vendor's own Go SDK
// (github.com/capitalonline/cds-gic-sdk-go, v0.3.16, the version the
// vendor's Terraform provider pins) against the fake of package cdslbtest.
// It is a module of its own, so that the SDK stays out of the library's
// go.mod; it has no code but its tests.
package interop
