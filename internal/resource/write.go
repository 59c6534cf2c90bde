package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	corev2 "github.com/sensu/core/v2"
)

// DefaultSilencedExpiry is how long a silence without a positive expire
// lasts in Sensu Go 6.12 (its --default-silenced-expiry-time).
const DefaultSilencedExpiry = 24 * time.Hour

// Writer is who writes a resource and when: what Sensu Go's API adds to
// every write (a silence's begin, expire_at and creator; created_by on
// create) comes from here.
type Writer struct {
	// User is the writer's name: the etcd user sensuctl authenticates as,
	// or "admin" without authentication.
	User string
	Now  time.Time
}

// CompleteSilence fills in what Sensu Go's API fills in on a write: begin
// (now, or the stored silence's begin, so that applying the same file again
// changes nothing), expire_at (begin plus expire, or plus the default
// expiry when expire is not positive) and creator. prev is the stored
// silence, nil when there is none.
func CompleteSilence(s, prev *Silenced, w Writer) {
	if s.Begin == 0 {
		s.Begin = w.Now.Unix()
		if prev != nil && prev.Begin != 0 {
			s.Begin = prev.Begin
		}
	}
	if s.ExpireAt == 0 {
		d := int64(DefaultSilencedExpiry / time.Second)
		if s.Expire > 0 {
			d = s.Expire
		}
		s.ExpireAt = s.Begin + d
	}
	if s.Creator == "" {
		s.Creator = w.User
	}
}

// SetCreatedBy records who created o, as Sensu Go's API does on create.
// Namespace, User and TessenConfig have no metadata of their own, and
// Sensu Go 6.12 records no creator for an entity created with sensuctl
// create (its entity API does not set it; see testdata/sensu-go/live-6.12).
func SetCreatedBy(o Object, user string) {
	switch v := o.(type) {
	case *Entity:
	case interface{ meta() *ObjectMeta }:
		v.meta().CreatedBy = user
	case *Event:
		v.Metadata.CreatedBy = user
	}
}

func (w *withMeta) meta() *ObjectMeta { return &w.Metadata }

// dropOnWrite removes the fields Sensu Go's sensuctl create sets to null:
// a check's subdue and a filter's when (both replaced in Sensu Go 6 by
// subdues). We drop them too, and say so. Sensu Go reads them first, so a
// value it cannot read is still an error.
func dropOnWrite(o Object) ([]string, error) {
	var field string
	var raw *json.RawMessage
	switch v := o.(type) {
	case *CheckConfig:
		field, raw = "subdue", &v.Subdue
	case *EventFilter:
		field, raw = "when", &v.When
	default:
		return nil, nil
	}
	if b := bytes.TrimSpace(*raw); len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	var when *corev2.TimeWindowWhen
	if err := json.Unmarshal(*raw, &when); err != nil {
		return nil, jsonFieldError("spec."+field, err)
	}
	*raw = nil
	return []string{fmt.Sprintf("spec.%s: dropped, as Sensu Go's sensuctl create drops it (Sensu Go 6 uses subdues)", field)}, nil
}
