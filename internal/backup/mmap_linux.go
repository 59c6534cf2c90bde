package backup

import "golang.org/x/sys/unix"

// mapPopulate maps every page at once: the walk reads them all, and one
// call is cheaper than a fault per page.
const mapPopulate = unix.MAP_POPULATE
