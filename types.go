package cdslb

// ResponseMeta is embedded in every response: the envelope the service wraps
// each answer in.
type ResponseMeta struct {
	Code    string // "Success" for every response a method returns without error
	Message string // the service's message, such as "Success."
	TaskID  string // the id of the asynchronous task an action started, if any

	HTTPStatus int // the HTTP status of the answer, such as 200
	Attempts   int // how many times the request was sent, retries included: 1 when the first attempt succeeded
}

func (m *ResponseMeta) meta() *ResponseMeta { return m }

// convert converts each wire value with value; nil stays nil.
func convert[W, T any](ws []W, value func(*W) T) []T {
	if ws == nil {
		return nil
	}
	out := make([]T, len(ws))
	for i := range ws {
		out[i] = value(&ws[i])
	}
	return out
}

// instanceWire is the wire form of a request that names one instance.
type instanceWire struct {
	InstanceUUID string `json:"InstanceUuid" url:"InstanceUuid"`
}
