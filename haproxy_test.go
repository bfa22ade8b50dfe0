package cdslb

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ = example("DescribeHaproxyCustomConfig", func(testing.TB) any {
	return &DescribeHaproxyCustomConfigRequest{InstanceUUID: "i-1"}
})

var _ = example("ModifyHaproxyCustomConfig", func(testing.TB) any {
	return &ModifyHaproxyCustomConfigRequest{InstanceUUID: "i-1", Configs: "global\n"}
})

func TestDescribeHaproxyCustomConfig(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("DescribeHaproxyCustomConfig")

	resp, err := c.DescribeHaproxyCustomConfig(context.Background(), &DescribeHaproxyCustomConfigRequest{InstanceUUID: fixtureInstanceUUID})
	require.NoError(t, err)

	assertGET(t, stub.only("DescribeHaproxyCustomConfig"), "DescribeHaproxyCustomConfig", map[string]string{"InstanceUuid": fixtureInstanceUUID})
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
	var doc struct{ Data struct{ Configs string } }
	require.NoError(t, json.Unmarshal([]byte(fixture(t, "DescribeHaproxyCustomConfig")), &doc))
	assert.Equal(t, doc.Data.Configs, resp.Configs, "the whole haproxy.cfg, as one string")
	assert.True(t, strings.HasPrefix(resp.Configs, "global\n    log 127.0.0.1 local0\n"), resp.Configs)
	assert.Equal(t, 34, strings.Count(resp.Configs, "\n"), "with its newlines")
}

func TestModifyHaproxyCustomConfig(t *testing.T) {
	t.Parallel()
	c, stub := newStub(t)
	stub.answerFixture("ModifyHaproxyCustomConfig")

	cfg := "global\n    maxconn 100\n\ndefaults\n    timeout connect 5s\n"
	resp, err := c.ModifyHaproxyCustomConfig(context.Background(), &ModifyHaproxyCustomConfigRequest{InstanceUUID: fixtureInstanceUUID, Configs: cfg})
	require.NoError(t, err)

	body := postBody(t, stub.only("ModifyHaproxyCustomConfig"), "/lb/", "ModifyHaproxyCustomConfig")
	assert.Equal(t, map[string]any{"InstanceUuid": fixtureInstanceUUID, "Configs": cfg}, body)
	assert.Equal(t, ResponseMeta{Code: "Success", Message: "Success.", TaskID: "2a7f9e3c-5b8d-4e1a-9c6f-8d0b3a5e7c21", HTTPStatus: 200, Attempts: 1}, resp.ResponseMeta)
}
