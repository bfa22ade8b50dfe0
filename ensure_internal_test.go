package cdslb

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyedLockEndsWithTheContextAndKeepsNothing: a waiter whose context
// ends gets the context's error, the lock still works for the others,
// and no entry stays once nobody holds or waits for a key.
func TestKeyedLockEndsWithTheContextAndKeepsNothing(t *testing.T) {
	t.Parallel()
	var k keyedLock[ensureKey]
	key := ensureKey{kind: "certificate", name: "www"}
	unlock, err := k.lock(context.Background(), "EnsureCertificate", key)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan error)
	go func() {
		_, err := k.lock(ctx, "EnsureCertificate", key)
		waited <- err
	}()
	cancel()
	err = <-waited
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), `certificate "www"`)

	var wg sync.WaitGroup
	var mu sync.Mutex
	inside := 0
	for range 8 {
		wg.Go(func() {
			u, err := k.lock(context.Background(), "EnsureCertificate", key)
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			inside++
			assert.Equal(t, 1, inside, "one holder at a time")
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			inside--
			mu.Unlock()
			u()
		})
	}
	unlock()
	wg.Wait()

	other, err := k.lock(context.Background(), "EnsureCertificate", ensureKey{kind: "certificate", name: "api"})
	require.NoError(t, err)
	other()
	k.mu.Lock()
	defer k.mu.Unlock()
	assert.Empty(t, k.held, "no entry left")
}
