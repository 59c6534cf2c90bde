package resource

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/google/uuid"
	corev2 "github.com/sensu/core/v2"
)

// coreValue builds core/v2's value of o without going through JSON, for the
// types that make up the bulk of a store (events, checks, entities): a JSON
// round trip costs more than everything else a write does to an event.
// TestCoreValueMatchesJSON holds it equal to json.Unmarshal of our JSON;
// other types, and fields kept as raw JSON, go through JSON.
func coreValue(t *Type, o Object) (corev2.Resource, error) {
	var r corev2.Resource
	var err error
	switch v := o.(type) {
	case *Event:
		r, err = coreEvent(v)
	case *CheckConfig:
		r, err = coreCheckConfig(v)
	case *Entity:
		r, err = coreEntity(v)
	default:
		return coreViaJSON(t, o)
	}
	if err != nil {
		return nil, &FieldError{Field: "spec", Msg: fmt.Sprintf("Sensu Go cannot read it: %v", err)}
	}
	return r, nil
}

func coreViaJSON(t *Type, o Object) (corev2.Resource, error) {
	b, err := Encode(o)
	if err != nil {
		return nil, err
	}
	r := t.NewCore()
	if err := json.Unmarshal(b, r); err != nil {
		return nil, &FieldError{Field: "spec", Msg: fmt.Sprintf("Sensu Go cannot read it: %v", err)}
	}
	return r, nil
}

// rawInto decodes a field kept as raw JSON; null and absent leave v alone.
func rawInto(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}

func coreMeta(m ObjectMeta) corev2.ObjectMeta {
	return corev2.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations, CreatedBy: m.CreatedBy}
}

func coreEntity(e *Entity) (*corev2.Entity, error) {
	c := new(corev2.Entity)
	return c, fillEntity(c, e)
}

// fillEntity sets every field of c from e, reusing c's interface list.
func fillEntity(c *corev2.Entity, e *Entity) error {
	interfaces := c.System.Network.Interfaces[:0]
	*c = corev2.Entity{
		EntityClass:       e.EntityClass,
		Subscriptions:     e.Subscriptions,
		LastSeen:          e.LastSeen,
		Deregister:        e.Deregister,
		Deregistration:    corev2.Deregistration{Handler: e.Deregistration.Handler},
		User:              e.User,
		Redact:            e.Redact,
		ObjectMeta:        coreMeta(e.Metadata),
		SensuAgentVersion: e.SensuAgentVersion,
		KeepaliveHandlers: e.KeepaliveHandlers,
	}
	s := e.System
	c.System = corev2.System{
		Hostname: s.Hostname, OS: s.OS, Platform: s.Platform, PlatformFamily: s.PlatformFamily,
		PlatformVersion: s.PlatformVersion, Arch: s.Arch, ARMVersion: s.ARMVersion, LibCType: s.LibCType,
		VMSystem: s.VMSystem, VMRole: s.VMRole, CloudProvider: s.CloudProvider, FloatType: s.FloatType,
	}
	if s.Network.Interfaces != nil {
		for _, n := range s.Network.Interfaces {
			interfaces = append(interfaces, corev2.NetworkInterface{Name: n.Name, MAC: n.MAC, Addresses: n.Addresses})
		}
		if interfaces == nil {
			interfaces = []corev2.NetworkInterface{}
		}
		c.System.Network.Interfaces = interfaces
	}
	if s.Processes != nil {
		c.System.Processes = make([]*corev2.Process, len(s.Processes))
		for i, p := range s.Processes {
			if err := rawInto(p, &c.System.Processes[i]); err != nil {
				return fmt.Errorf("system.processes[%d]: %w", i, err)
			}
		}
	}
	return nil
}

// checkSpec is what core/v2's CheckConfig and Check share, filled from ours.
type checkSpec struct {
	subdue     *corev2.TimeWindowWhen
	subdues    []*corev2.TimeWindowRepeated
	proxy      *corev2.ProxyRequests
	secrets    []*corev2.Secret
	tags       []*corev2.MetricTag
	pipelines  []*corev2.ResourceReference
	thresholds []*corev2.MetricThreshold
}

func coreCheckSpec(c *CheckSpec) (checkSpec, error) {
	var out checkSpec
	if err := rawInto(c.Subdue, &out.subdue); err != nil {
		return out, fmt.Errorf("subdue: %w", err)
	}
	if c.Subdues != nil {
		out.subdues = make([]*corev2.TimeWindowRepeated, len(c.Subdues))
		for i, raw := range c.Subdues {
			if err := rawInto(raw, &out.subdues[i]); err != nil {
				return out, fmt.Errorf("subdues[%d]: %w", i, err)
			}
		}
	}
	if p := c.ProxyRequests; p != nil {
		out.proxy = &corev2.ProxyRequests{EntityAttributes: p.EntityAttributes, Splay: p.Splay, SplayCoverage: p.SplayCoverage}
	}
	if c.Secrets != nil {
		out.secrets = make([]*corev2.Secret, len(c.Secrets))
		for i, s := range c.Secrets {
			out.secrets[i] = &corev2.Secret{Name: s.Name, Secret: s.Secret}
		}
	}
	if c.OutputMetricTags != nil {
		out.tags = make([]*corev2.MetricTag, len(c.OutputMetricTags))
		for i, t := range c.OutputMetricTags {
			out.tags[i] = &corev2.MetricTag{Name: t.Name, Value: t.Value}
		}
	}
	if c.Pipelines != nil {
		out.pipelines = make([]*corev2.ResourceReference, len(c.Pipelines))
		for i, p := range c.Pipelines {
			out.pipelines[i] = &corev2.ResourceReference{Name: p.Name, Type: p.Type, APIVersion: p.APIVersion}
		}
	}
	if c.OutputMetricThresholds != nil {
		out.thresholds = make([]*corev2.MetricThreshold, len(c.OutputMetricThresholds))
		for i, m := range c.OutputMetricThresholds {
			t := &corev2.MetricThreshold{Name: m.Name, NullStatus: m.NullStatus}
			if m.Tags != nil {
				t.Tags = make([]*corev2.MetricThresholdTag, len(m.Tags))
				for j, tag := range m.Tags {
					t.Tags[j] = &corev2.MetricThresholdTag{Name: tag.Name, Value: tag.Value}
				}
			}
			if m.Thresholds != nil {
				t.Thresholds = make([]*corev2.MetricThresholdRule, len(m.Thresholds))
				for j, rule := range m.Thresholds {
					t.Thresholds[j] = &corev2.MetricThresholdRule{Min: rule.Min, Max: rule.Max, Status: rule.Status}
				}
			}
			out.thresholds[i] = t
		}
	}
	return out, nil
}

func coreHooks(lists []HookList) []corev2.HookList {
	if lists == nil {
		return nil
	}
	out := make([]corev2.HookList, len(lists))
	for i, h := range lists {
		out[i] = corev2.HookList{Type: h.Type, Hooks: h.Hooks}
	}
	return out
}

func coreCheckConfig(c *CheckConfig) (*corev2.CheckConfig, error) {
	s, err := coreCheckSpec(&c.CheckSpec)
	if err != nil {
		return nil, err
	}
	return &corev2.CheckConfig{
		Command: c.Command, Handlers: c.Handlers, HighFlapThreshold: c.HighFlapThreshold, Interval: c.Interval,
		LowFlapThreshold: c.LowFlapThreshold, Publish: c.Publish, RuntimeAssets: c.RuntimeAssets,
		Subscriptions: c.Subscriptions, ProxyEntityName: c.ProxyEntityName, CheckHooks: coreHooks(c.CheckHooks),
		Stdin: c.Stdin, Subdue: s.subdue, Cron: c.Cron, Ttl: c.Ttl, Timeout: c.Timeout, ProxyRequests: s.proxy,
		RoundRobin: c.RoundRobin, OutputMetricFormat: c.OutputMetricFormat, OutputMetricHandlers: c.OutputMetricHandlers,
		EnvVars: c.EnvVars, ObjectMeta: coreMeta(c.Metadata), MaxOutputSize: c.MaxOutputSize, DiscardOutput: c.DiscardOutput,
		Secrets: s.secrets, OutputMetricTags: s.tags, Pipelines: s.pipelines, OutputMetricThresholds: s.thresholds,
		Subdues: s.subdues,
	}, nil
}

func coreCheck(c *Check) (*corev2.Check, error) {
	out := new(corev2.Check)
	return out, fillCheck(out, c)
}

// fillCheck sets every field of out from c, reusing out's history.
func fillCheck(out *corev2.Check, c *Check) error {
	s, err := coreCheckSpec(&c.CheckSpec)
	if err != nil {
		return err
	}
	history := out.History[:0]
	*out = corev2.Check{
		Command: c.Command, Handlers: c.Handlers, HighFlapThreshold: c.HighFlapThreshold, Interval: c.Interval,
		LowFlapThreshold: c.LowFlapThreshold, Publish: c.Publish, RuntimeAssets: c.RuntimeAssets,
		Subscriptions: c.Subscriptions, ProxyEntityName: c.ProxyEntityName, CheckHooks: coreHooks(c.CheckHooks),
		Stdin: c.Stdin, Subdue: s.subdue, Cron: c.Cron, Ttl: c.Ttl, Timeout: c.Timeout, ProxyRequests: s.proxy,
		RoundRobin: c.RoundRobin, Duration: c.Duration, Executed: c.Executed, Issued: c.Issued, Output: c.Output,
		State: c.State, Status: c.Status, TotalStateChange: c.TotalStateChange, LastOK: c.LastOK,
		Occurrences: c.Occurrences, OccurrencesWatermark: c.OccurrencesWatermark, Silenced: c.Silenced,
		OutputMetricFormat: c.OutputMetricFormat, OutputMetricHandlers: c.OutputMetricHandlers, EnvVars: c.EnvVars,
		ObjectMeta: coreMeta(c.Metadata), MaxOutputSize: c.MaxOutputSize, DiscardOutput: c.DiscardOutput,
		Secrets: s.secrets, IsSilenced: c.IsSilenced, OutputMetricTags: s.tags, Scheduler: c.Scheduler,
		ProcessedBy: c.ProcessedBy, Pipelines: s.pipelines, OutputMetricThresholds: s.thresholds, Subdues: s.subdues,
	}
	if c.History != nil {
		for _, h := range c.History {
			history = append(history, corev2.CheckHistory{Status: h.Status, Executed: h.Executed})
		}
		if history == nil {
			history = []corev2.CheckHistory{}
		}
		out.History = history
	}
	if c.Hooks != nil {
		out.Hooks = make([]*corev2.Hook, len(c.Hooks))
		for i, raw := range c.Hooks {
			if err := rawInto(raw, &out.Hooks[i]); err != nil {
				return fmt.Errorf("check.hooks[%d]: %w", i, err)
			}
		}
	}
	return nil
}

func coreEvent(e *Event) (*corev2.Event, error) {
	out := new(corev2.Event)
	return out, fillEvent(out, new(corev2.Entity), new(corev2.Check), e)
}

// fillEvent sets every field of out from e; entity and check are where
// its entity and check go.
func fillEvent(out *corev2.Event, entity *corev2.Entity, check *corev2.Check, e *Event) error {
	*out = corev2.Event{Timestamp: e.Timestamp, ObjectMeta: coreMeta(e.Metadata), Sequence: e.Sequence}
	if e.Entity != nil {
		if err := fillEntity(entity, e.Entity); err != nil {
			return fmt.Errorf("entity: %w", err)
		}
		out.Entity = entity
	}
	if e.Check != nil {
		if err := fillCheck(check, e.Check); err != nil {
			return fmt.Errorf("check: %w", err)
		}
		out.Check = check
	}
	if err := rawInto(e.Metrics, &out.Metrics); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if e.ID != "" {
		// core/v2 keeps the ID as the UUID's bytes; its JSON decoding
		// refuses one that is not a UUID, with this message.
		id, err := uuid.Parse(string(e.ID))
		if err != nil {
			return fmt.Errorf("invalid event id: %s", err)
		}
		out.ID = id[:]
	}
	if e.Pipelines != nil {
		out.Pipelines = make([]*corev2.ResourceReference, len(e.Pipelines))
		for i, p := range e.Pipelines {
			out.Pipelines[i] = &corev2.ResourceReference{Name: p.Name, Type: p.Type, APIVersion: p.APIVersion}
		}
	}
	return nil
}

// eventScratch holds core/v2 values that validating an event fills and
// drops: a migration validates 100,000 events, and allocating these for
// each was a sixth of everything it allocated.
type eventScratch struct {
	event  corev2.Event
	entity corev2.Entity
	check  corev2.Check
}

var eventScratches = sync.Pool{New: func() any { return new(eventScratch) }}

// validateEventWithCore runs core/v2's Event.Validate on e's values, in
// scratch space.
func validateEventWithCore(e *Event) error {
	s := eventScratches.Get().(*eventScratch)
	defer eventScratches.Put(s)
	if err := fillEvent(&s.event, &s.entity, &s.check, e); err != nil {
		return &FieldError{Field: "spec", Msg: fmt.Sprintf("Sensu Go cannot read it: %v", err)}
	}
	return coreValidate(&s.event)
}
