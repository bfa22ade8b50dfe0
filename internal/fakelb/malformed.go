package fakelb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// answer writes the successful answer of an action under the fault f: lost
// (DropAfterRate), malformed (Malformed) or as it is.
func (s *Server) answer(w http.ResponseWriter, env envelope, f strike) {
	if f.after() {
		drop(w, http.StatusOK, env, f.Truncate)
	}
	if f.Malformed != "" {
		writeEnvelope(w, http.StatusOK, malformed(env, f.Malformed))
		return
	}
	s.writeAnswer(w, http.StatusOK, env)
}

// malformed encodes a successful envelope as the kind of malformed answer
// says: Data given twice, Code given twice, or Data without its ids.
func malformed(env envelope, kind string) []byte {
	switch kind {
	case MalformedDuplicateCode:
		body := mustJSON(env)
		return append(body[:len(body)-1], `,"Code":"InternalError"}`...)
	case MalformedDuplicateData:
		body := mustJSON(env)
		empty := `{}`
		if data := bytes.TrimSpace(mustJSON(env.Data)); len(data) > 0 && data[0] == '[' {
			empty = `[]`
		}
		return append(body[:len(body)-1], `,"Data":`+empty+`}`...)
	case MalformedMissingIDs:
		var data any
		dec := json.NewDecoder(bytes.NewReader(mustJSON(env.Data)))
		dec.UseNumber()
		if err := dec.Decode(&data); err == nil {
			env.Data = withoutIDs(data)
		}
	}
	return mustJSON(env)
}

// withoutIDs removes, at every depth, the object members whose name ends
// in Id, Ids, Uuid or Uuids.
func withoutIDs(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for name, m := range v {
			if isIDName(name) {
				delete(v, name)
				continue
			}
			v[name] = withoutIDs(m)
		}
	case []any:
		for i := range v {
			v[i] = withoutIDs(v[i])
		}
	}
	return v
}

func isIDName(name string) bool {
	for _, suffix := range []string{"Id", "Ids", "Uuid", "Uuids", "ID", "IDs", "UUID", "UUIDs"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}
