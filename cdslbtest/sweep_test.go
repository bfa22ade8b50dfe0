package cdslbtest_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cdsgo/cdslb/cdslbtest"
)

// The exported API, for the sweep below. TestSweepCoversTheExportedAPI
// fails when a function or type is exported without being listed here;
// the methods of listed types are found by reflection. No function is
// skipped: those that take a testing.TB get the fake one of test.
var (
	sweepFuncs = map[string]any{
		"NewServer": cdslbtest.NewServer, "NewClock": cdslbtest.NewClock,
		"WithBusyFor": cdslbtest.WithBusyFor, "WithClock": cdslbtest.WithClock,
		"WithListenersPath": cdslbtest.WithListenersPath, "WithSeed": cdslbtest.WithSeed,
		"WithAutoAdvance": cdslbtest.WithAutoAdvance, "SelfSigned": cdslbtest.SelfSigned,
	}
	sweepTypes = map[string]reflect.Type{
		"Server": reflect.TypeFor[cdslbtest.Server](), "Clock": reflect.TypeFor[cdslbtest.Clock](),
		"Fault": reflect.TypeFor[cdslbtest.Fault](), "LoadBalancer": reflect.TypeFor[cdslbtest.LoadBalancer](),
		"Option": reflect.TypeFor[cdslbtest.Option](), "Call": reflect.TypeFor[cdslbtest.Call](),
	}
)

// TestSweepCoversTheExportedAPI: every exported function and type of the
// package is in the sweep's lists, so a new one cannot be missed.
func TestSweepCoversTheExportedAPI(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() && sweepFuncs[d.Name.Name] == nil {
					missing = append(missing, "func "+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() && sweepTypes[ts.Name.Name] == nil {
						missing = append(missing, "type "+ts.Name.Name)
					}
				}
			}
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("add these to sweepFuncs or sweepTypes in sweep_test.go: %s", strings.Join(missing, ", "))
	}
}

// TestNoExportedCallPanics calls every exported function, and every
// exported method of every exported type (on a nil pointer, a zero value
// and a working one), with nil and zero arguments and with plain filled-in
// ones: "x", 1, a second of time, the call's own testing.TB. Nothing may
// panic. Each call runs as a test body of its own (see test), so that a
// call that fails its test ends there, as Fatal ends a test.
func TestNoExportedCallPanics(t *testing.T) {
	t.Parallel()
	var calls int
	try := func(name string, recv func(testing.TB) reflect.Value, fn string, ft reflect.Type, filled bool, variadic int) {
		calls++
		test(func(tb testing.TB) {
			var args []reflect.Value
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s(%s) panicked: %v", name, describeArgs(args), r)
				}
			}()
			f := reflect.ValueOf(sweepFuncs[fn])
			if recv != nil {
				f = recv(tb).MethodByName(fn)
			}
			args = make([]reflect.Value, ft.NumIn())
			for i := range args {
				at := ft.In(i)
				switch {
				case ft.IsVariadic() && i == ft.NumIn()-1:
					args[i] = reflect.MakeSlice(at, variadic, variadic) // nil options
				case filled:
					args[i] = sweepValue(at, tb)
				default:
					args[i] = reflect.Zero(at)
				}
			}
			if ft.IsVariadic() {
				f.CallSlice(args)
			} else {
				f.Call(args)
			}
		})
	}
	sweep := func(name string, recv func(testing.TB) reflect.Value, fn string, ft reflect.Type) {
		for _, filled := range []bool{false, true} {
			for variadic := range 2 {
				if variadic == 0 || ft.IsVariadic() {
					try(name, recv, fn, ft, filled, variadic)
				}
			}
		}
	}

	for name, f := range sweepFuncs {
		sweep(name, nil, name, reflect.TypeOf(f))
	}
	working := map[string]func(testing.TB) reflect.Value{
		"Server": func(tb testing.TB) reflect.Value { return reflect.ValueOf(cdslbtest.NewServer(tb)) },
		"Clock":  func(testing.TB) reflect.Value { return reflect.ValueOf(cdslbtest.NewClock(time.Now())) },
	}
	for name, typ := range sweepTypes {
		ptr := reflect.PointerTo(typ)
		receivers := map[string]func(testing.TB) reflect.Value{
			"nil *" + name:      func(testing.TB) reflect.Value { return reflect.Zero(ptr) },
			"new(" + name + ")": func(testing.TB) reflect.Value { return reflect.New(typ) },
		}
		if w := working[name]; w != nil {
			receivers["working "+name] = w
		}
		for what, recv := range receivers {
			for i := range ptr.NumMethod() {
				m := ptr.Method(i)
				if _, byValue := typ.MethodByName(m.Name); byValue && what == "nil *"+name {
					continue // Go itself panics when a value method is called through a nil pointer
				}
				sweep(what+"."+m.Name, recv, m.Name, reflect.New(typ).Method(i).Type())
			}
		}
	}
	t.Logf("%d calls", calls)
	if calls < 100 {
		t.Errorf("only %d calls: the sweep missed the API", calls)
	}
}

// sweepValue returns a plain filled-in value of type t: the call's tb for
// a testing.TB, a second, the time now, "x", 1, true, a pointer to a zero
// value, a slice of one zero element; functions and structs stay zero.
func sweepValue(t reflect.Type, tb testing.TB) reflect.Value {
	v := reflect.New(t).Elem()
	switch {
	case t == reflect.TypeFor[testing.TB]():
		v.Set(reflect.ValueOf(tb))
	case t == reflect.TypeFor[time.Duration]():
		v.SetInt(int64(time.Second))
	case t == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Now()))
	case t.Kind() == reflect.String:
		v.SetString("x")
	case v.CanInt():
		v.SetInt(1)
	case v.CanFloat():
		v.SetFloat(1)
	case t.Kind() == reflect.Bool:
		v.SetBool(true)
	case t.Kind() == reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
	case t.Kind() == reflect.Slice:
		v.Set(reflect.MakeSlice(t, 1, 1))
	}
	return v
}

func describeArgs(args []reflect.Value) string {
	var s []string
	for _, a := range args {
		if a.IsValid() {
			s = append(s, fmt.Sprintf("%#v", a.Interface()))
		}
	}
	return strings.Join(s, ", ")
}
