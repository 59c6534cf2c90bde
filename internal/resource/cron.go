package resource

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// validCron accepts the standard 5-field cron syntax that Sensu Go's
// scheduler reads (optionally prefixed with CRON_TZ= or TZ=), and the
// @every, @yearly, @annually, @monthly, @weekly, @daily, @midnight and
// @hourly descriptors.
func validCron(spec string) error {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		tz, rest, ok := strings.Cut(spec, " ")
		if !ok {
			return errors.New("a time zone must be followed by a schedule")
		}
		if _, err := time.LoadLocation(tz[strings.Index(tz, "=")+1:]); err != nil {
			return fmt.Errorf("unknown time zone: %v", err)
		}
		spec = strings.TrimSpace(rest)
	}
	if strings.HasPrefix(spec, "@") {
		if d, ok := strings.CutPrefix(spec, "@every "); ok {
			v, err := time.ParseDuration(strings.TrimSpace(d))
			if err != nil || v <= 0 {
				return fmt.Errorf("@every needs a positive duration such as 30s")
			}
			return nil
		}
		switch spec {
		case "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
			return nil
		}
		return fmt.Errorf("unknown descriptor %s", spec)
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return fmt.Errorf("needs 5 fields (minute hour day-of-month month day-of-week), found %d", len(fields))
	}
	bounds := []struct {
		name     string
		min, max int
		names    []string
	}{
		{"minute", 0, 59, nil},
		{"hour", 0, 23, nil},
		{"day of month", 1, 31, nil},
		{"month", 1, 12, []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
		// 0-6 as in robfig/cron, which Sensu Go's scheduler uses: 7 is refused there.
		{"day of week", 0, 6, []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
	}
	for i, f := range fields {
		b := bounds[i]
		for _, part := range strings.Split(f, ",") {
			if err := cronPart(part, b.min, b.max, b.names); err != nil {
				return fmt.Errorf("%s field %q: %v", b.name, f, err)
			}
		}
	}
	return nil
}

func cronPart(part string, lo, hi int, names []string) error {
	rng, step, hasStep := strings.Cut(part, "/")
	if hasStep {
		if n, err := strconv.Atoi(step); err != nil || n <= 0 {
			return fmt.Errorf("bad step %q", step)
		}
	}
	if rng == "*" || rng == "?" {
		return nil
	}
	from, to, isRange := strings.Cut(rng, "-")
	start, ok := cronValue(from, lo, hi, names)
	if !ok {
		return fmt.Errorf("%q is not in %d-%d", from, lo, hi)
	}
	if isRange {
		end, ok := cronValue(to, lo, hi, names)
		if !ok {
			return fmt.Errorf("%q is not in %d-%d", to, lo, hi)
		}
		if start > end {
			return fmt.Errorf("range %q starts after it ends", rng)
		}
	}
	return nil
}

func cronValue(v string, lo, hi int, names []string) (int, bool) {
	for i, n := range names {
		if strings.EqualFold(v, n) {
			return lo + i, true
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= lo && n <= hi
}
