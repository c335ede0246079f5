package fhirimport_test

// The real fhir-import server for the SDK's tests: the binary
// (FHIR_IMPORT_BIN, else the repository's target/debug/fhir-import) with a
// fresh SQLite file, an admin user, a portal and a token made with
// `fhir-import admin`, as an operator would. It can be restarted on the same
// address and database. Its log goes to a file, shown when a test fails.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
)

const (
	issuer = "http://fhir-import.sdk-tests"
	// The user `sdk` signs in with this on the authorization page.
	password = "a long passphrase for the sdk tests"
	// Where the test portal's authorization codes go.
	redirectURI = "https://portal.example.org/callback"
)

var scopes = []string{"projects", "import:write", "import:read", "files:read", "admin"}

type testServer struct {
	binary string
	work   string
	env    []string
	log    *os.File

	// "127.0.0.1:port", and "http://127.0.0.1:port".
	Address, BaseURL string
	// A token for the user `sdk` (a platform admin) through the portal.
	Token string
	// The portal: client id and secret, with the admin scope.
	Portal fhirimport.Portal

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan error
}

func serverBinary() (string, error) {
	binary := os.Getenv("FHIR_IMPORT_BIN")
	if binary == "" {
		// The package is sdk/go in the repository.
		binary = filepath.Join("..", "..", "target", "debug", "fhir-import")
	}
	binary, err := filepath.Abs(binary)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(binary); err != nil {
		return "", fmt.Errorf("no server binary (build it, or set FHIR_IMPORT_BIN): %w", err)
	}
	return binary, nil
}

// startServer starts a server with a fresh store; extraEnv is more
// FHIR_IMPORT__… configuration ("KEY=value").
func startServer(extraEnv ...string) (*testServer, error) {
	binary, err := serverBinary()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "fhir-import-go-sdk-")
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(work, "server.log"))
	if err != nil {
		return nil, err
	}
	s := &testServer{binary: binary, work: work, log: log}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FHIR_IMPORT") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env, extraEnv...)
	s.env = append(s.env,
		"FHIR_IMPORT__AUTH__ISSUER="+issuer,
		"FHIR_IMPORT__DATABASE_URL=sqlite://"+filepath.Join(work, "sdk.db"),
	)
	if err := s.launch("127.0.0.1:0"); err != nil {
		s.stop()
		return nil, err
	}
	if err := s.bootstrap(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *testServer) bootstrap() error {
	var user struct{ Username string }
	if err := s.admin(&user, password+"\n", "create-user", "sdk", "--admin", "--password-stdin"); err != nil {
		return err
	}
	args := []string{"create-client", "--name", "Go SDK tests", "--owner", "sdk", "--redirect-uri", redirectURI}
	for _, scope := range scopes {
		args = append(args, "--scope", scope)
	}
	var client struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := s.admin(&client, "", args...); err != nil {
		return err
	}
	var token struct {
		AccessToken string `json:"access_token"`
	}
	if err := s.admin(&token, "", "issue-token", "--user", "sdk", "--client", client.ClientID); err != nil {
		return err
	}
	if client.ClientID == "" || client.ClientSecret == "" || token.AccessToken == "" {
		return errors.New("fhir-import admin printed no client or token")
	}
	s.Token = token.AccessToken
	s.Portal = fhirimport.Portal{Server: s.BaseURL, ClientID: client.ClientID, ClientSecret: client.ClientSecret}
	return nil
}

// admin runs `fhir-import admin ARGS` on the server's store and decodes
// the JSON it prints.
func (s *testServer) admin(into interface{}, stdin string, args ...string) error {
	cmd := exec.Command(s.binary, append([]string{"admin"}, args...)...)
	cmd.Dir, cmd.Env, cmd.Stdin = s.work, s.env, strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("fhir-import admin %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return json.Unmarshal(out, into)
}

// launch starts `serve --listen listen` and waits for its "listening on".
func (s *testServer) launch(listen string) error {
	cmd := exec.Command(s.binary, "serve", "--listen", listen)
	cmd.Dir, cmd.Env, cmd.Stderr = s.work, s.env, s.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	address := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if rest := strings.TrimPrefix(lines.Text(), "listening on "); rest != lines.Text() {
				address <- strings.TrimSpace(rest)
			}
		}
		exited <- cmd.Wait()
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	select {
	case a := <-address:
		s.Address, s.BaseURL = a, "http://"+a
		return nil
	case err := <-exited:
		exited <- err
		return fmt.Errorf("the server exited at start (%v):\n%s", err, s.logTail())
	case <-time.After(60 * time.Second):
		return errors.New("the server did not start in 60 s")
	}
}

// terminate sends SIGTERM and waits for the exit, which must be status 0.
func (s *testServer) terminate() error {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("the server did not exit 0 on SIGTERM: %v", err)
		}
		return nil
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return errors.New("the server did not exit within 60 s of SIGTERM")
	}
}

// restart is SIGTERM (which must exit 0), then the same server again on the
// same address and store.
func (s *testServer) restart() error {
	if err := s.down(); err != nil {
		return err
	}
	return s.up()
}

func (s *testServer) down() error { return s.terminate() }

// killAndStart is kill -9 (no drain, no goodbye), then the same server
// again on the same address and store.
func (s *testServer) killAndStart() error {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		<-exited
	}
	return s.up()
}

func (s *testServer) up() error {
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		return nil
	}
	return s.launch(s.Address)
}

func (s *testServer) stop() {
	_ = s.terminate()
	_ = s.log.Close()
	_ = os.RemoveAll(s.work)
}

// logTail is the end of the server's log.
func (s *testServer) logTail() string {
	data, _ := os.ReadFile(s.log.Name())
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}

// own starts a server for one test, stopped when the test ends (its log
// shown when the test failed).
func own(t *testing.T, extraEnv ...string) *testServer {
	t.Helper()
	s, err := startServer(extraEnv...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (end):\n%s", s.logTail())
		}
		s.stop()
	})
	return s
}

var (
	sharedOnce   sync.Once
	sharedServer *testServer
	sharedErr    error
)

// shared is the server the tests that neither restart nor reconfigure it
// share; TestMain stops it.
func shared(t *testing.T) *testServer {
	t.Helper()
	sharedOnce.Do(func() { sharedServer, sharedErr = startServer() })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("shared server log (end):\n%s", sharedServer.logTail())
		}
	})
	return sharedServer
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedServer != nil {
		sharedServer.stop()
	}
	os.Exit(code)
}
