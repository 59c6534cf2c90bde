package resource

import (
	"bytes"
	"time"
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
// Namespace, User and TessenConfig have no metadata of their own.
func SetCreatedBy(o Object, user string) {
	switch v := o.(type) {
	case interface{ meta() *ObjectMeta }:
		v.meta().CreatedBy = user
	case *Event:
		v.Metadata.CreatedBy = user
	}
}

func (w *withMeta) meta() *ObjectMeta { return &w.Metadata }

// droppedOnWrite are the fields Sensu Go's sensuctl create sets to null: a
// check's subdue and a filter's when (both replaced in Sensu Go 6 by
// subdues). We drop them too, and say so.
func droppedOnWrite(o Object) []string {
	isSet := func(b []byte) bool { b = bytes.TrimSpace(b); return len(b) > 0 && !bytes.Equal(b, []byte("null")) }
	switch v := o.(type) {
	case *CheckConfig:
		if isSet(v.Subdue) {
			v.Subdue = nil
			return []string{"spec.subdue: dropped, as Sensu Go drops it on create (use subdues)"}
		}
	case *EventFilter:
		if isSet(v.When) {
			v.When = nil
			return []string{"spec.when: dropped, as Sensu Go drops it on create"}
		}
	}
	return nil
}
