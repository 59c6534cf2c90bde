// Command rawread reads a Sensu 1.x Redis database the way the migration
// benchmark (bench/migrate.sh) uses as its reference: sensu1redis.ReadRaw,
// a SCAN of the keyspace and a pipelined GET of every key (keys that are not
// strings answer WRONGTYPE), the least any reader of the database must do.
// With -full it runs sensu1redis.Read instead: the reader 'sensuctl migrate
// sensu1' uses (TYPE, PTTL and the read its type calls for, every value
// decoded), without the translation and the writes.
//
//	go run ./bench/rawread -url redis://127.0.0.1:45305/0
//	go run ./bench/rawread -url redis://127.0.0.1:45305/0 -full
//
// It prints one line on stdout: keys=N bytes=B seconds=S (bytes: of the
// string values, for the raw read; -full adds clients, results and events).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
)

func main() {
	url := flag.String("url", "", "the 1.x Redis: redis://host:port/db (required)")
	batch := flag.Int("batch", 0, "keys per pipeline (0: the reader's default)")
	full := flag.Bool("full", false, "run sensu1redis.Read (the migration's reader) instead of ReadRaw")
	flag.Parse()
	if flag.NArg() > 0 || *url == "" {
		fmt.Fprintln(os.Stderr, "usage: rawread -url redis://host:port/db [-batch N] [-full]")
		os.Exit(2)
	}
	ctx := context.Background()
	opts := sensu1redis.Options{URL: *url, BatchSize: *batch}
	start := time.Now()
	if *full {
		s, err := sensu1redis.Read(ctx, opts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "rawread: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("keys=%d clients=%d results=%d events=%d silences=%d invalid=%d seconds=%.3f\n", len(s.Keys), len(s.Clients),
			len(s.Results), len(s.Events), len(s.Silences), len(s.Invalid), time.Since(start).Seconds())
		return
	}
	keys, bytes, err := sensu1redis.ReadRaw(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rawread: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("keys=%d bytes=%d seconds=%.3f\n", keys, bytes, time.Since(start).Seconds())
}
