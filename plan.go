package cdslb

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// ListenerPlan is what ApplyListeners would change on an instance's
// listeners, made by PlanListeners: one ListenerChange per listener
// added, changed or removed, by name. It keeps the desired set and the
// set it was compared with, so that ApplyListeners can refuse to apply it
// once the instance's listeners have changed. A plan read back from JSON
// has no such record and cannot be applied.
//
// Changes are for reading and review: ApplyListeners applies the desired
// set the plan was made for, whole, never a subset of its changes, and it
// refuses a plan whose Changes were edited. To apply less, plan again
// with the set wanted.
type ListenerPlan struct {
	InstanceUUID string
	Changes      []ListenerChange // sorted by listener name, then mode

	http     []HTTPListener // the desired set
	tcp      []TCPListener
	snapshot *DescribeLoadBalancerStrategysResponse // the set read, compared with the set before the write
	made     []ListenerChange                       // a copy of Changes as made, to see them edited
	red      *redactor                              // the read's, to bound what String quotes of it
}

// ListenerChange is the change of one listener in a ListenerPlan.
type ListenerChange struct {
	Action       ChangeAction
	ListenerName string
	ListenerMode string        // ListenerModeHTTP or ListenerModeTCP
	Fields       []FieldChange // for an update, each changed field; for an addition, each field set; none for a removal
}

// ChangeAction says what a ListenerChange does to its listener.
type ChangeAction string

// The actions of a ListenerChange, as its String line starts.
const (
	ListenerAdded   ChangeAction = "+"
	ListenerUpdated ChangeAction = "~"
	ListenerRemoved ChangeAction = "-"
)

// FieldChange is one changed field of a listener, its values rendered for
// a person to read, with any secret as REDACTED.
type FieldChange struct {
	Path     string // the field's path in the listener, such as "BackendServers[1].Weight"
	Old, New string // the values before and after; "" when there is none
}

// PlanListeners compares an instance's listeners with the desired set
// (http and tcp) and returns what ApplyListeners would change, without
// changing anything: it reads the set with DescribeLoadBalancerStrategys
// (GET). Listeners are matched by name and kind; nil and empty lists are
// the same.
//
// It fails with a *ValidationError when the desired set breaks
// ModifyLoadBalancerStrategys' rules, and with ErrListenersUnreadable when
// a listener of the instance cannot be read exactly: a plan made from it
// would not show, and applying it would undo, what the library cannot see.
func (c *Client) PlanListeners(ctx context.Context, instanceUUID string, http []HTTPListener, tcp []TCPListener) (_ *ListenerPlan, err error) {
	ctx, obs := c.startOperation(ctx, "PlanListeners", instanceUUID)
	defer obs.end(&err)
	const helper = "PlanListeners"
	if err := checkHelper(c, ctx, helper); err != nil {
		return nil, err
	}
	want := &ModifyLoadBalancerStrategysRequest{InstanceUUID: instanceUUID, HTTPListeners: http, TCPListeners: tcp}
	if err := validateRequest(helper, want); err != nil {
		return nil, err
	}
	ctx, answered := withRedactorSlot(ctx)
	set, err := c.readExactly(ctx, helper, instanceUUID)
	if err != nil {
		return nil, err
	}
	p := &ListenerPlan{InstanceUUID: instanceUUID, snapshot: set, red: answered.r}
	if err := deepCopy(&p.http, http); err != nil {
		return nil, fmt.Errorf("cdslb: %s: %w", helper, err)
	}
	if err := deepCopy(&p.tcp, tcp); err != nil {
		return nil, fmt.Errorf("cdslb: %s: %w", helper, err)
	}
	var served []HTTPListener
	if err := deepCopy(&served, http); err != nil {
		return nil, fmt.Errorf("cdslb: %s: %w", helper, err)
	}
	for i := range served {
		asServed(&served[i], set.HTTPListeners)
	}
	p.Changes = append(diffSet(ListenerModeHTTP, set.HTTPListeners, served), diffSet(ListenerModeTCP, set.TCPListeners, p.tcp)...)
	slices.SortStableFunc(p.Changes, func(a, b ListenerChange) int {
		return cmp.Or(cmp.Compare(a.ListenerName, b.ListenerName), cmp.Compare(a.ListenerMode, b.ListenerMode))
	})
	if err := deepCopy(&p.made, p.Changes); err != nil {
		return nil, fmt.Errorf("cdslb: %s: %w", helper, err)
	}
	return p, nil
}

// ApplyListeners makes the plan's changes: with AddLoadBalancerStrategys
// (POST) when it only adds listeners, and otherwise with
// ModifyLoadBalancerStrategys (POST), which sends the whole desired set
// the plan was made for. The plan's Changes only describe it: a plan whose
// Changes were edited is refused with a *ValidationError, sending nothing.
// It returns the write's response, whose TaskID tracks the change.
//
// It first reads the set again, and refuses, sending nothing, with
// ErrListenersChanged when it is no longer the set the plan was made from
// (plan again, and review: the plan is never made again for you), and
// with ErrListenersUnreadable when it cannot be read exactly. An empty
// plan makes that one read, and returns an empty response when the set is
// still the plan's. A 409 ResourceInUse is never answered by resending:
// with RetryPolicy.RetryConflicts the check starts again from the read,
// within the policy's attempts; without it the 409 is returned. The
// write's other errors are the action's; when its outcome is unknown, the
// set is read again as UpdateListener does, and the set written is
// success. Within one Client it runs one at a time with UpdateListener and
// RemoveListener on the instance, and takes the write's rate-limit token
// before its read; across Clients, a change made between the read and the
// write cannot be seen.
func (c *Client) ApplyListeners(ctx context.Context, plan *ListenerPlan) (_ *ModifyLoadBalancerStrategysResponse, err error) {
	ctx, obs := c.startOperation(ctx, "ApplyListeners", plan.instance())
	defer obs.end(&err)
	const helper = "ApplyListeners"
	if err := checkHelper(c, ctx, helper); err != nil {
		return nil, err
	}
	if plan == nil || plan.snapshot == nil {
		return nil, &ValidationError{Action: helper, Field: "plan", Reason: "must be a plan made by PlanListeners"}
	}
	if !reflect.DeepEqual(plan.Changes, plan.made) {
		return nil, &ValidationError{Action: helper, Field: "plan.Changes", Reason: "were edited since PlanListeners made them: they are for reading, and a plan applies its whole desired set; plan again with the set wanted"}
	}
	if len(plan.made) == 0 {
		now, err := c.readExactly(ctx, helper, plan.InstanceUUID)
		if err != nil {
			return nil, err
		}
		if !sameListeners(now, plan.snapshot) {
			return nil, changedError(helper, plan.InstanceUUID, "since the plan was made; nothing was sent: plan again")
		}
		return &ModifyLoadBalancerStrategysResponse{}, nil
	}
	unlock, err := editing.lock(ctx, helper, instanceKey{c, plan.InstanceUUID})
	if err != nil {
		return nil, err
	}
	defer unlock()
	return c.again(ctx, c.retry.MaxAttempts, c.retryBusy, func() (*ModifyLoadBalancerStrategysResponse, error) { return c.applyOnce(ctx, plan) })
}

// applyOnce checks that the set is the plan's and writes, once, under the
// instance's lock. Its write is never repeated on a 409: the check must
// come first.
func (c *Client) applyOnce(ctx context.Context, plan *ListenerPlan) (*ModifyLoadBalancerStrategysResponse, error) {
	const helper = "ApplyListeners"
	want := &ModifyLoadBalancerStrategysRequest{InstanceUUID: plan.InstanceUUID, HTTPListeners: plan.http, TCPListeners: plan.tcp}
	resp, err := c.checkAndWrite(ctx, helper, plan.snapshot, want, func(ctx context.Context) (*ModifyLoadBalancerStrategysResponse, error) {
		if slices.ContainsFunc(plan.made, func(ch ListenerChange) bool { return ch.Action != ListenerAdded }) {
			resp, _, err := modifyLoadBalancerStrategys.run(ctx, c, want, rereadOnConflict)
			return resp, err
		}
		add := &AddLoadBalancerStrategysRequest{InstanceUUID: plan.InstanceUUID}
		for _, ch := range plan.made {
			if ch.ListenerMode == ListenerModeHTTP {
				add.HTTPListeners = append(add.HTTPListeners, plan.http[slices.IndexFunc(plan.http, named[HTTPListener](ch.ListenerName))])
			} else {
				add.TCPListeners = append(add.TCPListeners, plan.tcp[slices.IndexFunc(plan.tcp, named[TCPListener](ch.ListenerName))])
			}
		}
		resp, _, err := addLoadBalancerStrategys.run(ctx, c, add, rereadOnConflict)
		if err != nil {
			return nil, err
		}
		return &ModifyLoadBalancerStrategysResponse{ResponseMeta: resp.ResponseMeta}, nil
	})
	return resp, err
}

// Empty reports whether the plan changes nothing. A nil plan is empty.
func (p *ListenerPlan) Empty() bool { return p == nil || len(p.Changes) == 0 }

// String renders the plan as a diff to review: a "+", "~" or "-" line per
// listener added, changed or removed, in the plan's order, each followed
// by one line per field with the same mark. Names and text values are
// quoted, so that no value can start a line of its own.
func (p *ListenerPlan) String() string {
	if p.Empty() {
		return "no changes to the listeners\n"
	}
	var b strings.Builder
	for _, ch := range p.Changes {
		fmt.Fprintf(&b, "%s %s listener %s\n", ch.Action, ch.ListenerMode, boundQuote(ch.ListenerName, p.red))
		for _, f := range ch.Fields {
			switch ch.Action {
			case ListenerAdded:
				fmt.Fprintf(&b, "%s     %s: %s\n", ch.Action, f.Path, boundUnquoted(f.New, p.red))
			default:
				fmt.Fprintf(&b, "%s     %s: %s -> %s\n", ch.Action, f.Path, orNone(boundUnquoted(f.Old, p.red)), orNone(boundUnquoted(f.New, p.red)))
			}
		}
	}
	return b.String()
}

func orNone(s string) string { return cmp.Or(s, "(none)") }

// readExactly reads the listener set, refusing one not read exactly.
func (c *Client) readExactly(ctx context.Context, helper, instanceUUID string) (*DescribeLoadBalancerStrategysResponse, error) {
	set, inexact, err := c.readListeners(ctx, &DescribeLoadBalancerStrategysRequest{InstanceUUID: instanceUUID})
	if err != nil {
		return nil, err
	}
	if inexact != "" {
		return nil, &editError{helper, fmt.Sprintf("instance %s, %s, cannot be read exactly; nothing was sent", instanceUUID, inexact), ErrListenersUnreadable}
	}
	return set, nil
}

// asServed fills in what the service fills in for fields left unset, as
// it lists them, so that leaving a field to the service is not a change:
// the documented defaults, and the name of a certificate given by its id
// alone, which is the name the listener of that name (in have) lists for
// that id.
func asServed(l *HTTPListener, have []HTTPListener) {
	if l.HealthCheck != nil && l.HealthCheck.Method == "" {
		l.HealthCheck.Method = "GET"
	}
	if l.SessionPersistence != nil && l.SessionPersistence.Mode == CookieModeDefault {
		l.SessionPersistence.Mode = CookieModeVisible
	}
	i := slices.IndexFunc(have, named[HTTPListener](l.ListenerName))
	if i < 0 {
		return
	}
	for j, ref := range l.Certificates {
		k := slices.IndexFunc(have[i].Certificates, func(c CertificateRef) bool { return c.CertificateID == ref.CertificateID })
		if ref.CertificateName == "" && k >= 0 {
			l.Certificates[j].CertificateName = have[i].Certificates[k].CertificateName
		}
	}
}

// checkHelper refuses a client not made by NewClient and a nil context.
func checkHelper(c *Client, ctx context.Context, helper string) error {
	switch {
	case c == nil || c.signer == nil:
		return fmt.Errorf("cdslb: %s: the Client was not made by NewClient or NewClientFromEnv", helper)
	case ctx == nil:
		return &ValidationError{Action: helper, Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	return nil
}

// deepCopy copies src into dst through JSON, the public types' Go form,
// so that the caller's later changes to src do not change a plan.
func deepCopy[T any](dst *T, src T) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

func named[L HTTPListener | TCPListener](name string) func(L) bool {
	return func(l L) bool { return listenerName(l) == name }
}

func listenerName[L HTTPListener | TCPListener](l L) string {
	if h, ok := any(l).(HTTPListener); ok {
		return h.ListenerName
	}
	return any(l).(TCPListener).ListenerName
}

// diffSet compares the listeners of one kind by name.
func diffSet[L HTTPListener | TCPListener](mode string, have, want []L) []ListenerChange {
	var out []ListenerChange
	var zero L
	for _, w := range want {
		name := listenerName(w)
		i := slices.IndexFunc(have, named[L](name))
		switch {
		case i < 0:
			fields := diffValue("", reflect.ValueOf(zero), reflect.ValueOf(w), nil)
			for j := range fields {
				fields[j].Old = ""
			}
			out = append(out, ListenerChange{ListenerAdded, name, mode, fields})
		default:
			if fields := diffValue("", reflect.ValueOf(have[i]), reflect.ValueOf(w), nil); len(fields) > 0 {
				out = append(out, ListenerChange{ListenerUpdated, name, mode, fields})
			}
		}
	}
	for _, h := range have {
		if name := listenerName(h); !slices.ContainsFunc(want, named[L](name)) {
			out = append(out, ListenerChange{ListenerRemoved, name, mode, nil})
		}
	}
	return out
}

// diffValue appends to out a FieldChange for each field that differs
// between old and new, two values of one type: struct fields and list
// elements of structs by path, and other values whole. nil and empty
// lists are the same, and so are a nil pointer and a zero value's.
func diffValue(path string, old, new reflect.Value, out []FieldChange) []FieldChange {
	join := func(name string) string { return strings.TrimPrefix(path+"."+name, ".") }
	switch {
	case old.Kind() == reflect.Struct:
		for i := range old.NumField() {
			f := old.Type().Field(i)
			if secretFields[f.Name] {
				if !old.Field(i).Equal(new.Field(i)) {
					out = append(out, FieldChange{join(f.Name), redact(old.Field(i).String()), redact(new.Field(i).String())})
				}
				continue
			}
			out = diffValue(join(f.Name), old.Field(i), new.Field(i), out)
		}
	case old.Kind() == reflect.Pointer && !old.IsNil() && !new.IsNil():
		out = diffValue(path, old.Elem(), new.Elem(), out)
	case old.Kind() == reflect.Pointer && old.IsNil() != new.IsNil():
		o, n := old, new
		if o.IsNil() {
			o = reflect.New(o.Type().Elem())
		} else {
			n = reflect.New(n.Type().Elem())
		}
		if more := diffValue(path, o.Elem(), n.Elem(), nil); len(more) > 0 {
			return append(out, more...)
		}
		return append(out, FieldChange{path, render(old), render(new)}) // set, but to a zero value
	case old.Kind() == reflect.Pointer: // both nil
	case old.Kind() == reflect.Slice && old.Type().Elem().Kind() == reflect.Struct:
		for i := range max(old.Len(), new.Len()) {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= old.Len():
				out = append(out, FieldChange{p, "", render(new.Index(i))})
			case i >= new.Len():
				out = append(out, FieldChange{p, render(old.Index(i)), ""})
			default:
				out = diffValue(p, old.Index(i), new.Index(i), out)
			}
		}
	case old.Kind() == reflect.Slice:
		if o, n := render(old), render(new); o != n {
			out = append(out, FieldChange{path, o, n})
		}
	default:
		if !old.Equal(new) {
			out = append(out, FieldChange{path, render(old), render(new)})
		}
	}
	return out
}

// secretFields are the fields a plan shows as REDACTED, in any listener
// value: listeners hold no secret today, but a certificate's key must not
// reach a diff if one ever does.
var secretFields = map[string]bool{"PrivateKey": true, "AccessKeySecret": true}

// render shows a value for a diff: text quoted, durations as Go writes
// them, lists and structs with their fields named ("" for an empty list).
func render(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return boundQuote(v.String(), nil)
	case reflect.Slice:
		if v.Len() == 0 {
			return ""
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = render(v.Index(i))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case reflect.Struct:
		parts := make([]string, 0, v.NumField())
		for i := range v.NumField() {
			f := v.Type().Field(i)
			s := render(v.Field(i))
			if secretFields[f.Name] {
				s = redact(v.Field(i).String())
			}
			parts = append(parts, f.Name+":"+s)
		}
		return "{" + strings.Join(parts, " ") + "}"
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return render(v.Elem())
	}
	return fmt.Sprint(v.Interface())
}
