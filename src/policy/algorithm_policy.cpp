// SPDX-License-Identifier: Apache-2.0
// Default algorithm policy.
#include "policy/algorithm_policy.h"

namespace sealpost::policy {

AlgorithmPolicy DefaultAlgorithmPolicy() { return AlgorithmPolicy{}; }

}  // namespace sealpost::policy
