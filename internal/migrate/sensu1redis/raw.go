package sensu1redis

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// ReadRaw is the least a reader of the database must do: SCAN the keyspace
// and GET every key in pipelines of Options.BatchSize. It returns the number
// of keys and the bytes of the string values (keys of other types answer
// WRONGTYPE and are skipped). Benchmarks compare Read with it.
func ReadRaw(ctx context.Context, opts Options) (keys int, bytes int64, err error) {
	c, err := connect(ctx, opts)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	names, err := c.scan(ctx)
	if err != nil {
		return 0, 0, err
	}
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	cmds := make([]*redis.StringCmd, 0, size)
	for start := 0; start < len(names); start += size {
		pipe := c.cl.Pipeline()
		cmds = cmds[:0]
		for _, k := range names[start:min(start+size, len(names))] {
			cmds = append(cmds, pipe.Get(ctx, k))
		}
		_, _ = pipe.Exec(ctx)
		for _, cmd := range cmds {
			switch err := cmd.Err(); {
			case err == nil:
				bytes += int64(len(cmd.Val()))
			case err == redis.Nil, isWrongType(err):
			default:
				return 0, 0, c.wrap(ctx, err)
			}
		}
	}
	return len(names), bytes, nil
}
