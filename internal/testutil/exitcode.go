package testutil

import (
	"errors"
	"os/exec"
)

// ExitCode reads the result of exec.Cmd's Run or Wait: the exit code of a
// process that ran (0 for nil), or -1 and err when it could not run.
func ExitCode(err error) (int, error) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	}
	return -1, err
}
