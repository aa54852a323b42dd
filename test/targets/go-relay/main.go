// A small Go relay for the harness's own tests: the standard library only
// (net/http), forwarding /v1/chat/completions and /v1/models to the fake
// upstream over a pool of the upstream's accounts, with /metrics (Prometheus
// text) and net/http/pprof. It carries the error-body incident
// (/work/shared/seeds/002, the 169 000 goroutines):
//
//	-leak   a non-2xx upstream answer is relayed as a small error and
//	        returned from WITHOUT reading or closing resp.Body. Go's Transport
//	        keeps that connection's readLoop and writeLoop goroutines (and its
//	        socket) waiting for the body forever: two goroutines and one fd
//	        pinned per error answer, whether the body is 200 bytes or 256 KiB.
//	(none)  the fix: every body is read to its end and closed.
//
// Usage: go-relay -port N -upstream URL [-seed 42] [-accounts 5000] [-leak]
// Prints `relay: listening on http://127.0.0.1:PORT` once listening; exits on
// SIGTERM, or when stdin closes if SOAK_EXIT_WITH_HARNESS=1 (the harness sets it).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

var (
	upstream string
	seed     int
	accounts int
	leak     bool
	next     uint64
	inflight int64
	client   *http.Client
)

// accessToken is shared/accounts.ts accessTokenOf(seed, index): the bearer
// token the fake upstream expects for account `index`.
func accessToken(index int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("token:%d:codex:%d", seed, index)))
	return fmt.Sprintf("cxat.%d.%s", index, hex.EncodeToString(sum[:])[:40])
}

func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("content-type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"upstream_error"}}`, message)
}

func authorized(r *http.Request) bool {
	keys := os.Getenv("RELAY_CLIENT_KEYS")
	if keys == "" {
		return true
	}
	got := strings.TrimPrefix(r.Header.Get("authorization"), "Bearer ")
	for _, k := range strings.Split(keys, ",") {
		if k != "" && k == got {
			return true
		}
	}
	return false
}

func forward(w http.ResponseWriter, r *http.Request, path string) {
	atomic.AddInt64(&inflight, 1)
	defer atomic.AddInt64(&inflight, -1)
	if !authorized(r) {
		writeError(w, 401, "invalid client key")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, 400, "cannot read the request body")
		return
	}
	// Not tied to the client's request context, as in the incident's relay: a
	// context cancelled when the handler returns would have the Transport
	// close the connection of an unread body, and hide the leak.
	req, err := http.NewRequest(r.Method, upstream+path, strings.NewReader(string(body)))
	if err != nil {
		writeError(w, 500, "bad upstream request")
		return
	}
	if len(body) > 0 {
		req.Header.Set("content-type", "application/json")
	}
	if f := r.Header.Get("x-mock-fault"); f != "" {
		req.Header.Set("x-mock-fault", f)
	}
	index := int(atomic.AddUint64(&next, 1) % uint64(accounts))
	req.Header.Set("authorization", "Bearer "+accessToken(index))
	resp, err := client.Do(req)
	if err != nil {
		writeError(w, 502, "upstream unreachable")
		return
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if leak {
			// The incident: relay the status and return. resp.Body is never
			// read nor closed, so the connection and its goroutines stay.
			writeError(w, resp.StatusCode, "upstream error")
			return
		}
		defer resp.Body.Close()
		errBody, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		io.Copy(io.Discard, resp.Body)
		if ct := resp.Header.Get("content-type"); ct != "" {
			w.Header().Set("content-type", ct)
		}
		if ra := resp.Header.Get("retry-after"); ra != "" {
			w.Header().Set("retry-after", ra)
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(errBody)
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("content-type"); ct != "" {
		w.Header().Set("content-type", ct)
	}
	if resp.ContentLength >= 0 {
		w.Header().Set("content-length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 16*1024)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if rerr == io.EOF {
			return
		}
		if rerr != nil {
			// The upstream cut the body: cut the client's too, rather than end it as if complete.
			panic(http.ErrAbortHandler)
		}
	}
}

func openFds() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return -1
	}
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func metrics(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("content-type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(w, "# TYPE process_open_fds gauge\nprocess_open_fds %d\n", openFds())
	fmt.Fprintf(w, "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n", residentBytes())
	// The drain before each checkpoint waits for this to reach 0 (the harness's name for it).
	fmt.Fprintf(w, "# TYPE relay_inflight_requests gauge\nrelay_inflight_requests %d\n", atomic.LoadInt64(&inflight))
}

func main() {
	port := flag.Int("port", 0, "port to listen on (0: the OS chooses)")
	flag.StringVar(&upstream, "upstream", "", "the upstream's base URL")
	flag.IntVar(&seed, "seed", 42, "seed of the upstream's account set")
	flag.IntVar(&accounts, "accounts", 5000, "accounts in the upstream's set")
	flag.BoolVar(&leak, "leak", false, "never read or close upstream error bodies (the error-body incident)")
	flag.Parse()
	if upstream == "" || accounts < 1 {
		fmt.Fprintln(os.Stderr, "go-relay: -upstream URL and -accounts N ≥ 1 are required")
		os.Exit(2)
	}
	upstream = strings.TrimRight(upstream, "/")
	// Heap profile resolution: one sample per 64 KiB allocated on average
	// (Go's default, 512 KiB, leaves a short test run's sites at a few samples).
	runtime.MemProfileRate = 64 * 1024
	client = &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
	}}
	http.HandleFunc("/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { forward(w, r, "/v1/chat/completions") })
	http.HandleFunc("/v1/models", func(w http.ResponseWriter, r *http.Request) { forward(w, r, "/v1/models") })
	http.HandleFunc("/metrics", metrics)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-relay: -port: %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("relay: listening on http://%s\n", ln.Addr().String())
	if os.Getenv("SOAK_EXIT_WITH_HARNESS") == "1" {
		go func() {
			// Exit with the harness: its end of our stdin pipe closes when it goes.
			io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
	}
	if leak {
		fmt.Fprintln(os.Stderr, "go-relay: -leak: upstream error bodies are never read or closed")
	}
	http.Serve(ln, nil)
}
