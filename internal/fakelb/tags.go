package fakelb

import (
	"fmt"
	"slices"
	"strings"
)

// tag is one entry of a load balancer's Tags, as DescribeLoadBalancers
// answers it.
type tag struct {
	TagID   int
	TagName string
}

// tagIDs gives each tag name one id, the same on every instance, from 1 in
// the order names are first used.
type tagIDs map[string]int

func (t *tagIDs) id(name string) int {
	if *t == nil {
		*t = tagIDs{}
	}
	id, ok := (*t)[name]
	if !ok {
		id = len(*t) + 1
		(*t)[name] = id
	}
	return id
}

// noTags is the Tags of an instance without any: the fake answers an empty
// list, not null.
var noTags = []tag{}

func nonNilTags(tags []tag) []tag {
	if tags == nil {
		return noTags
	}
	return tags
}

// TagLoadBalancer adds the named tags to a load balancer, as the vendor's
// console does (the API has no action for it), so that DescribeLoadBalancers
// lists them and filters by TagName. A name the instance already has is
// kept once. An unknown instance or an empty name is an error, and nothing
// changes.
func (s *Server) TagLoadBalancer(instanceUUID string, names ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[instanceUUID]
	if !ok {
		return fmt.Errorf("fakelb: TagLoadBalancer: no load balancer %q", instanceUUID)
	}
	for _, name := range names {
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("fakelb: TagLoadBalancer: a tag name is empty")
		}
	}
	for _, name := range names {
		if !in.hasTag(name) {
			in.tags = append(in.tags, tag{s.tags.id(name), name})
		}
	}
	return nil
}

func (in *instance) hasTag(name string) bool {
	return slices.ContainsFunc(in.tags, func(t tag) bool { return t.TagName == name })
}
