//go:build unix && !linux

package backup

const mapPopulate = 0
