package resource

import (
	"encoding/json"

	"github.com/google/uuid"
)

// NetworkInterface is one interface of an entity's host.
type NetworkInterface struct {
	Name      string   `json:"name,omitempty"`
	MAC       string   `json:"mac,omitempty"`
	Addresses []string `json:"addresses"`
}

// Network lists an entity's interfaces.
type Network struct {
	Interfaces []NetworkInterface `json:"interfaces"`
}

// System describes an entity's host.
type System struct {
	Hostname        string            `json:"hostname,omitempty"`
	OS              string            `json:"os,omitempty"`
	Platform        string            `json:"platform,omitempty"`
	PlatformFamily  string            `json:"platform_family,omitempty"`
	PlatformVersion string            `json:"platform_version,omitempty"`
	Network         Network           `json:"network"`
	Arch            string            `json:"arch,omitempty"`
	ARMVersion      int32             `json:"arm_version,omitempty"`
	LibCType        string            `json:"libc_type"`
	VMSystem        string            `json:"vm_system"`
	VMRole          string            `json:"vm_role"`
	CloudProvider   string            `json:"cloud_provider"`
	FloatType       string            `json:"float_type,omitempty"`
	Processes       []json.RawMessage `json:"processes"`
}

// Deregistration names the handler run when an entity deregisters.
type Deregistration struct {
	Handler string `json:"handler,omitempty"`
}

// Entity is core/v2 Entity.
type Entity struct {
	EntityClass    string         `json:"entity_class"`
	System         System         `json:"system"`
	Subscriptions  []string       `json:"subscriptions"`
	LastSeen       int64          `json:"last_seen"`
	Deregister     bool           `json:"deregister"`
	Deregistration Deregistration `json:"deregistration"`
	User           string         `json:"user,omitempty"`
	Redact         []string       `json:"redact,omitempty"`
	withMeta
	SensuAgentVersion string   `json:"sensu_agent_version"`
	KeepaliveHandlers []string `json:"keepalive_handlers,omitempty"`
}

func (e *Entity) Validate() error {
	if err := validMeta(e.Metadata); err != nil {
		return err
	}
	return checkName("spec.entity_class", e.EntityClass, nameRE)
}

// Event is core/v2 Event: a check result (or metrics) for an entity. It has
// no name of its own; it is stored under entity/check.
type Event struct {
	Timestamp int64               `json:"timestamp,omitempty"`
	Entity    *Entity             `json:"entity,omitempty"`
	Check     *Check              `json:"check,omitempty"`
	Metrics   json.RawMessage     `json:"metrics,omitempty"`
	Metadata  ObjectMeta          `json:"metadata"`
	ID        EventID             `json:"id"`
	Sequence  int64               `json:"sequence"`
	Pipelines []ResourceReference `json:"pipelines"`
}

// EventID is an event's UUID; core/v2 writes null when there is none.
type EventID string

// MarshalJSON writes null for no ID, as core/v2 does.
func (id EventID) MarshalJSON() ([]byte, error) {
	if id == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(id))
}

// Meta is the event's metadata with the namespace of its entity.
func (e *Event) Meta() ObjectMeta {
	m := e.Metadata
	if m.Namespace == "" && e.Entity != nil {
		m.Namespace = e.Entity.Metadata.Namespace
	}
	return m
}

func (e *Event) storeName() string {
	if e.Entity == nil || e.Check == nil {
		return ""
	}
	return e.Entity.Metadata.Name + "/" + e.Check.Metadata.Name
}

// labels lets SetLabel stamp an event as it stamps every type with
// ObjectMeta.
func (e *Event) labels() *map[string]string { return &e.Metadata.Labels }

func (e *Event) setMeta(outer ObjectMeta) error {
	e.Metadata.merge(outer)
	e.setNamespace(e.Meta().Namespace)
	return nil
}

// setNamespace puts the event, its entity and its check in ns, which is
// how Sensu Go keeps them.
func (e *Event) setNamespace(ns string) {
	e.Metadata.Namespace = ns
	if e.Entity != nil && e.Entity.Metadata.Namespace == "" {
		e.Entity.Metadata.Namespace = ns
	}
	if e.Check != nil && e.Check.Metadata.Namespace == "" {
		e.Check.Metadata.Namespace = ns
	}
}

func (e *Event) Validate() error {
	if e.Metadata.Name != "" {
		return fieldErr("metadata.name", "an event has no name of its own (it is entity/check)")
	}
	if err := needNamespace(e.Metadata); err != nil {
		return err
	}
	if e.Entity == nil {
		return fieldErr("spec.entity", "an event needs an entity")
	}
	if err := checkName("spec.entity.metadata.name", e.Entity.Metadata.Name, nameRE); err != nil {
		return err
	}
	if e.Entity.Metadata.Namespace != e.Metadata.Namespace {
		return fieldErr("spec.entity.metadata.namespace", "%q differs from the event's namespace %q", e.Entity.Metadata.Namespace, e.Metadata.Namespace)
	}
	if e.Check == nil {
		if len(e.Metrics) > 0 {
			return fieldErr("spec.check", "an event with metrics only is not stored; it needs a check")
		}
		return fieldErr("spec.check", "an event needs a check")
	}
	if err := checkName("spec.check.metadata.name", e.Check.Metadata.Name, nameRE); err != nil {
		return err
	}
	if e.ID != "" {
		if _, err := uuid.Parse(string(e.ID)); err != nil {
			return fieldErr("spec.id", "%q is not a UUID", e.ID)
		}
	}
	return e.Check.CheckSpec.validate(false)
}

func (e *Event) setDefaults() {
	if e.Check != nil {
		e.Check.setDefaults()
	}
}
