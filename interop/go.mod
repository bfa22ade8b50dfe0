module github.com/cdsgo/cdslb/interop

go 1.26.0

require (
	github.com/capitalonline/cds-gic-sdk-go v0.3.16
	github.com/cdsgo/cdslb v0.0.0
)

require (
	github.com/go-json-experiment/json v1.27.2 // indirect
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/google/uuid v1.1.1 // indirect
	golang.org/x/time v0.16.0 // indirect
)

replace github.com/cdsgo/cdslb => ../
