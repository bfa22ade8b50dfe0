package cdslb

import "testing"

var _ = example("DescribeHaproxyCustomConfig", func(testing.TB) any {
	return &DescribeHaproxyCustomConfigRequest{InstanceUUID: "i-1"}
})

var _ = example("ModifyHaproxyCustomConfig", func(testing.TB) any {
	return &ModifyHaproxyCustomConfigRequest{InstanceUUID: "i-1", Configs: "global\n"}
})
