"""scipy's scipy/cluster/tests/test_hierarchy.py against clusterlab's linkage."""

import clusterlab
from tests.peer._bind import bind

globals().update(bind("scipy.cluster.tests.test_hierarchy", {
    "linkage": clusterlab.linkage,
}))
