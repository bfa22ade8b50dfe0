module example.com/consumer

go 1.26.0

require github.com/cdsgo/cdslb v0.1.0

require (
	github.com/go-json-experiment/json v1.27.2 // indirect
	github.com/google/go-querystring v1.2.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

replace github.com/cdsgo/cdslb => ../..
