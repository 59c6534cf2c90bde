package resource

import (
	"fmt"

	"github.com/robfig/cron/v3"
)

// validCron accepts what Sensu Go's scheduler accepts: robfig/cron v3's
// ParseStandard, which core/v2's CheckConfig.Validate calls (five fields,
// an optional CRON_TZ= or TZ= prefix, and the @every, @yearly, @monthly,
// @weekly, @daily, @midnight and @hourly descriptors). ParseStandard panics
// on a time zone with no schedule after it ("TZ=UTC"); that is refused.
func validCron(spec string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not a cron schedule (a time zone must be followed by a schedule)")
		}
	}()
	_, err = cron.ParseStandard(spec)
	return err
}
