//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A second Ctrl-C ends the process even when a step ignores the first:
// here the profile file is a named pipe whose writer never writes, so the
// command blocks reading it. The test binary runs as the command.
func TestASecondInterruptEndsAStuckCommand(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "config.yaml")
	check(t, syscall.Mkfifo(fifo, 0o600))
	cmd := exec.Command(os.Args[0], "zones", "list")
	cmd.Env = []string{"CDSLB_TEST_RUN_MAIN=1", "CDSLB_CONFIG=" + fifo, "HOME=" + t.TempDir()}
	check(t, cmd.Start())
	defer cmd.Process.Kill()

	// Opening the pipe to write without blocking succeeds only once the
	// command has it open to read: then the command is stuck in its read.
	var w *os.File
	for deadline := time.Now().Add(time.Minute); w == nil; {
		f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		switch {
		case err == nil:
			w = f
		case !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline):
			t.Fatalf("the command never opened its profile file: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	defer w.Close()

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	backstop := time.After(time.Minute)
	for {
		select {
		case <-exited:
			return
		case <-tick.C:
			check(t, cmd.Process.Signal(os.Interrupt))
		case <-backstop:
			t.Fatal("the command outlived a minute of Ctrl-C")
		}
	}
}
