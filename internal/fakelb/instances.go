package fakelb

import (
	"fmt"
	"slices"
	"time"
)

// Instance statuses. An instance is busy while its status is not RUNNING.
const (
	statusRunning  = "RUNNING"
	statusCreating = "CREATING"
	statusChanging = "CHANGING"
	statusDeleting = "DELETING"
)

var statusText = map[string]string{
	statusRunning:  "运行中",
	statusCreating: "创建中",
	statusChanging: "变更中",
	statusDeleting: "删除中",
}

type vip struct {
	IP   string
	Type string // private or public
}

// instance is one load balancer. Its busy status ends lazily: settle, run
// before every action, finishes every task whose readyAt has passed.
type instance struct {
	id, resourceID string
	name           string
	regionID       string
	vdcID, vdcName string
	spec           spec
	vips           []vip
	created        time.Time
	createdTime    string // created, as the API spells it
	displayName    string // the zone's name, as DescribeLoadBalancers shows it
	tags           []tag

	busy    string    // "" when RUNNING, else CREATING, CHANGING or DELETING
	readyAt time.Time // when busy ends
	task    uint64    // the busy state's task, in the Server's queue
	next    *spec     // the spec a CHANGING task applies when it ends
	deleted bool      // gone, but still in the Server's order

	http, tcp    []*listener
	customConfig string // "" means generated from the listeners

	encodedView loadBalancer // the view encoded; see entry
	encoded     []byte
}

func (in *instance) status() string {
	if in.busy == "" {
		return statusRunning
	}
	return in.busy
}

// startTask makes an instance busy for the configured delay (none for a
// Direct request) and returns the task id to answer.
func (s *Server) startTask(in *instance, status string, r *request) string {
	in.busy = status
	in.readyAt = r.now
	if !r.immediate {
		in.readyAt = r.now.Add(s.cfg.Delay)
	}
	s.tasks.add(in)
	return s.newID()
}

// finish ends the busy state of an instance whose task has ended.
func (s *Server) finish(in *instance) {
	if in.busy == statusDeleting {
		s.remove(in)
		return
	}
	if in.next != nil {
		in.spec, in.next = *in.next, nil
	}
	in.busy = ""
}

// remove forgets a deleted instance. It stays in s.order, marked, until
// deleted instances are half of it; then order is compacted, at a cost
// spread over the deletes that filled it.
func (s *Server) remove(in *instance) {
	delete(s.instances, in.id)
	in.deleted = true
	s.deleted++
	if s.deleted <= len(s.order)/2 {
		return
	}
	s.order = slices.DeleteFunc(s.order, func(in *instance) bool { return in.deleted })
	s.deleted = 0
}

// findInstance returns the instance named by the InstanceUuid parameter.
func (s *Server) findInstance(r *request) (*instance, error) {
	id, err := r.required("InstanceUuid")
	if err != nil {
		return nil, err
	}
	in, ok := s.instances[id]
	if !ok {
		return nil, notFoundf("InstanceUuid %q does not exist", id)
	}
	return in, nil
}

// idleInstance is findInstance for a change: a busy instance is refused
// with 409 ResourceInUse.
func (s *Server) idleInstance(r *request) (*instance, error) {
	in, err := s.findInstance(r)
	if err != nil {
		return nil, err
	}
	if in.busy != "" {
		return nil, inUsef("instance %s is %s; try again when it is RUNNING", in.id, in.busy)
	}
	return in, nil
}

// goodsID reads PaasGoodsId (a number or a numeric string) and returns its spec.
func goodsID(r *request) (spec, error) {
	id, ok, err := r.integer("PaasGoodsId")
	if err != nil {
		return spec{}, err
	}
	if !ok {
		return spec{}, argMissing("PaasGoodsId")
	}
	sp, found := findSpec(id)
	if !found {
		return spec{}, invalidf("PaasGoodsId %d is not one of 5072, 5075, 5078, 5081", id)
	}
	return sp, nil
}

// pipe is one entry of CreateLoadBalancer's Ips.
type pipe struct {
	PipeType  string
	PipeId    string
	SegmentId string
	IsVip     *number
}

// checkIsVip holds IsVip to the document's example: it sits in the
// private entry of Ips, as the JSON number 0 or 1, and only on a load
// balancer that also joins a public network (the table: "for public load
// balancers only; a private one needs none; default 1"). The table's
// top-level IsVip, IsVip on a public entry, and IsVip 0 on a private-only
// load balancer are refused: a client that sends them would otherwise get
// a private VIP it asked not to have, or ask for one it cannot lack.
func checkIsVip(r *request, pipes []pipe, public bool) error {
	if _, ok := r.raw("IsVip"); ok {
		return invalidf("IsVip belongs in the private entry of Ips, as the document's example has it, not at the top level")
	}
	for i, p := range pipes {
		switch {
		case p.IsVip == nil:
		case p.PipeType == "public":
			return invalidf("Ips[%d].IsVip: IsVip belongs in the private entry of Ips, not the public one", i)
		case *p.IsVip != 0 && *p.IsVip != 1:
			return invalidf("Ips[%d].IsVip must be 0 or 1, not %d", i, *p.IsVip)
		case *p.IsVip == 0 && !public:
			return invalidf("Ips[%d].IsVip 0 asks for no private VIP, but a load balancer without a public network has no other address", i)
		}
	}
	return nil
}

func (s *Server) createLoadBalancer(r *request) (reply, error) {
	regionID, err := r.required("RegionId")
	if err != nil {
		return reply{}, err
	}
	z, ok := findZone(regionID)
	if !ok {
		return reply{}, invalidf("RegionId %q is not a known region", regionID)
	}
	var vdcID, name string
	for _, p := range []struct {
		name string
		dst  *string
	}{{"VdcId", &vdcID}, {"BasePipeId", new(string)}, {"InstanceName", &name}} {
		if *p.dst, err = r.required(p.name); err != nil {
			return reply{}, err
		}
	}
	sp, err := goodsID(r)
	if err != nil {
		return reply{}, err
	}
	var pipes []pipe
	if ok, err := r.decode("Ips", &pipes); err != nil {
		return reply{}, err
	} else if !ok || len(pipes) == 0 {
		return reply{}, argMissing("Ips")
	}
	public := false
	for i, p := range pipes {
		switch {
		case p.PipeType != "private" && p.PipeType != "public":
			return reply{}, invalidf("Ips[%d].PipeType must be private or public", i)
		case p.PipeId == "":
			return reply{}, argMissing(fmt.Sprintf("Ips[%d].PipeId", i))
		case p.PipeType == "public" && p.SegmentId == "":
			return reply{}, argMissing(fmt.Sprintf("Ips[%d].SegmentId", i))
		}
		public = public || p.PipeType == "public"
	}
	if err := checkIsVip(r, pipes, public); err != nil {
		return reply{}, err
	}
	amount, _, err := r.integer("Amount")
	if err != nil {
		return reply{}, err
	}
	if amount == 0 {
		amount = 1
	}
	if amount < 1 || amount > 3 {
		return reply{}, invalidf("Amount must be 1 to 3, not %d", amount)
	}

	if subject, ok, err := r.integer("SubjectId"); err != nil {
		return reply{}, err
	} else if ok && subject < 0 {
		return reply{}, invalidf("SubjectId must not be negative, not %d", subject)
	}

	var ids []string
	for range amount {
		in := &instance{
			id: s.newID(), resourceID: s.newID(),
			name: name, regionID: z.RegionId, vdcID: vdcID,
			spec: sp, created: r.now, createdTime: formatTime(r.now),
			displayName: fmt.Sprintf("%s-%s-可用区%s", z.RegionName, z.CityName, z.RegionId[len(z.RegionId)-1:]),
			vdcName:     z.CityName + "PaaS1",
		}
		for _, p := range pipes {
			if p.PipeType == "private" && p.IsVip != nil && *p.IsVip == 0 {
				continue
			}
			in.vips = append(in.vips, vip{IP: s.nextVIP(p.PipeType), Type: p.PipeType})
		}
		s.startTask(in, statusCreating, r)
		s.instances[in.id] = in
		s.order = append(s.order, in)
		ids = append(ids, in.id)
	}
	return reply{data: map[string][]string{"InstancesUuid": ids}, taskID: s.newID()}, nil
}

// nextVIP hands out addresses from two deterministic pools: private VIPs in
// 66.66.0.0/16 (as the document's examples), public ones in 164.52.0.0/16.
func (s *Server) nextVIP(kind string) string {
	n := s.vipCount
	s.vipCount++
	prefix := "66.66"
	if kind == "public" {
		prefix = "164.52"
	}
	return fmt.Sprintf("%s.%d.%d", prefix, n/250, n%250+2)
}

func (s *Server) modifyInstanceSpec(r *request) (reply, error) {
	in, err := s.idleInstance(r)
	if err != nil {
		return reply{}, err
	}
	sp, err := goodsID(r)
	if err != nil {
		return reply{}, err
	}
	in.next = &sp
	return reply{taskID: s.startTask(in, statusChanging, r)}, nil
}

func (s *Server) deleteLoadBalancer(r *request) (reply, error) {
	in, err := s.idleInstance(r)
	if err != nil {
		return reply{}, err
	}
	return reply{taskID: s.startTask(in, statusDeleting, r)}, nil
}

// modifyName renames an instance at once; its answer has no Data.
func (s *Server) modifyName(r *request) (reply, error) {
	in, err := s.idleInstance(r)
	if err != nil {
		return reply{}, err
	}
	name, err := r.required("InstanceName")
	if err != nil {
		return reply{}, err
	}
	in.name = name
	return reply{noData: true}, nil
}
