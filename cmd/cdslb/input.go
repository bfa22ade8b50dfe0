package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxInputFile bounds a file read from the command line. Request files,
// certificates and haproxy.cfg files are kilobytes; the bound keeps a
// mistaken -f /dev/zero or a multi-gigabyte file from exhausting memory
// before anything is sent.
const maxInputFile = 16 << 20

// readFile reads a file named on the command line, "-" for stdin, of at
// most maxInputFile bytes. Ctrl-C ends the wait for it: standard input at
// a terminal, or a named pipe, would otherwise hold the command with the
// interrupt already taken.
func (a *app) readFile(name string) ([]byte, error) {
	return a.interruptible(name, func() ([]byte, error) { return readBounded(a.stdin, name) })
}

// interruptible runs read, a read of name that may block, until it ends
// or Ctrl-C ends the run.
func (a *app) interruptible(name string, read func() ([]byte, error)) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1) // the reader may finish after we return
	go func() {
		data, err := read()
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-a.ctx.Done():
		return nil, fmt.Errorf("interrupted while reading %s: nothing was sent", describeFile(name))
	}
}

// readBounded opens and reads name ("-": stdin) up to maxInputFile bytes.
func readBounded(stdin io.Reader, name string) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageError{err}
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputFile+1))
	switch {
	case err != nil:
		return nil, usageError{fmt.Errorf("reading %s: %w", describeFile(name), err)}
	case len(data) > maxInputFile:
		return nil, usageError{fmt.Errorf("%s is larger than %d MiB: not a request, certificate or haproxy.cfg file", name, maxInputFile>>20)}
	}
	return data, nil
}

func describeFile(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// decodeFile reads FILE (JSON or YAML: JSON is read as the YAML it also
// is) into v, a pointer to one of the library's types, by the names its
// JSON shows: Go field names, exactly. Unknown or repeated fields are
// refused with their path, so a typo is not silently dropped. A
// time.Duration may be written as its JSON shows it (nanoseconds) or as a
// Go duration such as "5s"; a time.Time as RFC 3339.
func (a *app) decodeFile(name string, v any) error {
	if name == "" {
		return usageError{errors.New("-f FILE is required")}
	}
	data, err := a.readFile(name)
	if err != nil {
		return err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return usageError{fmt.Errorf("%s is empty", name)}
		}
		return usageError{fmt.Errorf("%s: %v", name, err)}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return usageError{fmt.Errorf("%s: holds more than one document", name)}
	}
	if len(doc.Content) == 0 {
		return usageError{fmt.Errorf("%s is empty", name)}
	}
	budget := countNodes(doc.Content[0]) + maxAliasedValues
	if err := decodeNode(doc.Content[0], reflect.ValueOf(v).Elem(), "", &budget); err != nil {
		return usageError{fmt.Errorf("%s: %w", name, err)}
	}
	return nil
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
)

// maxAliasedValues bounds the values that aliases add to a file: the
// decoder follows them itself, so a few lines of aliases of aliases would
// otherwise expand to billions of values.
const maxAliasedValues = 1 << 20

// countNodes counts the nodes of a document as written, an alias as one.
func countNodes(n *yaml.Node) int {
	c := 1
	if n.Kind != yaml.AliasNode {
		for _, child := range n.Content {
			c += countNodes(child)
		}
	}
	return c
}

// decodeNode decodes n into v, checking names and kinds against v's type.
// Each value decoded spends one of budget, which aliases can exhaust.
func decodeNode(n *yaml.Node, v reflect.Value, path string, budget *int) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	at := func(format string, args ...any) error {
		where := strings.TrimPrefix(path, ".")
		if where == "" {
			where = "the document"
		}
		return fmt.Errorf("line %d: %s: %s", n.Line, where, fmt.Sprintf(format, args...))
	}
	if *budget--; *budget < 0 {
		return at("the file's aliases expand to more than %d values", maxAliasedValues)
	}
	isNull := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	switch {
	case v.Type() == durationType:
		if n.Kind != yaml.ScalarNode {
			return at("want a duration such as 5s")
		}
		if n.Tag == "!!int" {
			var ns int64
			if err := n.Decode(&ns); err != nil {
				return at("%v", err)
			}
			v.SetInt(ns)
			return nil
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			return at("want a duration such as 5s or 1500ms, or nanoseconds, got %q", n.Value)
		}
		v.SetInt(int64(d))
		return nil
	case v.Type() == timeType:
		var t time.Time
		if err := n.Decode(&t); err != nil {
			return at("want an RFC 3339 time, got %q", n.Value)
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull {
			v.SetZero()
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := decodeNode(n, p.Elem(), path, budget); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Slice:
		if isNull {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return at("want a list")
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := decodeNode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), budget); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return at("want a mapping of %s's fields", v.Type().Name())
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			f, ok := v.Type().FieldByName(key)
			if !ok || !f.IsExported() || f.Anonymous {
				return at("unknown field %q; the fields are %s", key, strings.Join(fieldNames(v.Type()), ", "))
			}
			if seen[key] {
				return at("field %q is given twice", key)
			}
			seen[key] = true
			if err := decodeNode(n.Content[i+1], v.FieldByIndex(f.Index), path+"."+key, budget); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return at("want a %s value", v.Kind())
	}
	if isNull {
		v.SetZero()
		return nil
	}
	if v.Kind() == reflect.String && n.Tag != "!!str" {
		return at("want a string, got %s; quote it", n.Value)
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		return at("want a %s value, got %q", v.Kind(), n.Value)
	}
	return nil
}

// fieldNames lists the fields a mapping may set, promoted fields included.
func fieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			names = append(names, fieldNames(f.Type)...)
		case f.IsExported():
			names = append(names, f.Name)
		}
	}
	return names
}
