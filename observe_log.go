package cdslb

import (
	"log/slog"
	"reflect"
)

// This file holds how the end events log: a log handler writes an error
// value nested in a struct as its fields, which for most errors is {} in
// JSON, so each end event logs as a group of its fields with Err as its
// message.

// LogValue records the event's fields, with Err as its message.
func (e OperationEnd) LogValue() slog.Value { return eventValue(e) }

// LogValue records the event's fields, with Err as its message.
func (e CallEnd) LogValue() slog.Value { return eventValue(e) }

// LogValue records the event's fields, with Err as its message.
func (e AttemptEnd) LogValue() slog.Value { return eventValue(e) }

var errorType = reflect.TypeFor[error]()

// eventValue is the struct e as a group of its fields, an error field as
// its message, or nil.
func eventValue(e any) slog.Value {
	v := reflect.ValueOf(e)
	attrs := make([]slog.Attr, 0, v.NumField())
	for i := range v.NumField() {
		a := slog.Any(v.Type().Field(i).Name, v.Field(i).Interface())
		if v.Type().Field(i).Type == errorType {
			a.Value = slog.AnyValue(nil)
			if err, _ := v.Field(i).Interface().(error); err != nil {
				a.Value = slog.StringValue(err.Error())
			}
		}
		attrs = append(attrs, a)
	}
	return slog.GroupValue(attrs...)
}
