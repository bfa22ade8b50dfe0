module github.com/cdsgo/cdslb

go 1.26

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/jarcoal/httpmock v1.4.2 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
)
