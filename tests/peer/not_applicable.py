"""Reviewed list of peer tests that do not apply to clusterlab, with a reason each.

Keys are suite names (``suites/peer_<suite>.py``); inside, an entry is a test id
without the file (``Class::test_name`` or ``test_name``), matched with
``fnmatch``; an entry without ``[...]`` covers every parameter set of that test.
A test belongs here only when it exercises a peer's private helper, asserts a
peer's exact message or verbose text, or (scipy) never calls the function we
replace.  Everything a user's code can touch stays applicable, and a failure
there counts against the pass rate.  ``test_peer_suites.py`` fails when an
entry no longer matches any test, so the list cannot rot silently.
"""

PRIVATE = "calls a private scikit-learn helper"
NO_LINKAGE = "calls no linkage (ours is never reached); checks scipy's own "
MESSAGE = "asserts the exact text of scikit-learn's message"

K_MEANS = {
    "test_relocate_empty_clusters": f"{PRIVATE} (_relocate_empty_clusters_dense/_sparse)",
    "test_minibatch_update_consistency": f"{PRIVATE} (_mini_batch_step, _labels_inertia)",
    "test_minibatch_reassign": f"{PRIVATE} (_mini_batch_step, _labels_inertia)",
    "test_euclidean_distance": f"{PRIVATE} (_euclidean_dense_dense_wrapper)",
    "test_inertia": f"{PRIVATE} (_inertia_dense, _inertia_sparse)",
    "test_is_same_clustering": f"{PRIVATE} (_is_same_clustering)",
    "test_minibatch_kmeans_init_size": "asserts the private attribute _init_size",
    "test_sample_weight_init": f"{PRIVATE} (KMeans._init_centroids)",
    "test_sample_weight_zero": f"{PRIVATE} (KMeans._init_centroids)",
    "test_kmeans_verbose": "asserts scikit-learn's verbose print-out line by line",
    "test_minibatch_kmeans_verbose": "asserts scikit-learn's verbose print-out line by line",
    "test_minibatch_declared_convergence": "asserts scikit-learn's verbose convergence text",
    "test_wrong_params": MESSAGE,
    "test_kmeans_plusplus_wrong_params": MESSAGE,
    "test_minibatch_kmeans_warning_init_size": MESSAGE,
    "test_warning_n_init_precomputed_centers": MESSAGE,
}

GAUSSIAN_MIXTURE = {
    "test_check_weights": MESSAGE + " (weights_init shape and sum checks)",
    "test_check_means": MESSAGE + " (means_init shape check)",
    "test_check_precisions": MESSAGE + " (precisions_init shape and definiteness checks)",
    "test_sample": MESSAGE + " (n_samples check); the sampling itself is covered elsewhere",
    "test_gaussian_mixture_fit_convergence_warning": MESSAGE + " (ConvergenceWarning text)",
    "test_gaussian_mixture_precisions_init": f"{PRIVATE} (GaussianMixture._set_parameters)",
    "test_gaussian_mixture_precisions_init_diag": f"{PRIVATE} (_estimate_gaussian_parameters)",
    "test_gaussian_mixture_all_init_does_not_estimate_gaussian_parameters":
        f"{PRIVATE} (patches sklearn.mixture._gaussian_mixture._estimate_gaussian_parameters)",
    "test_suffstat_sk_full": f"{PRIVATE} (_estimate_gaussian_covariances_full)",
    "test_suffstat_sk_tied": f"{PRIVATE} (_estimate_gaussian_covariances_tied)",
    "test_suffstat_sk_diag": f"{PRIVATE} (_estimate_gaussian_covariances_diag)",
    "test_gaussian_suffstat_sk_spherical": f"{PRIVATE} (_estimate_gaussian_covariances_spherical)",
    "test_compute_log_det_cholesky": f"{PRIVATE} (_compute_log_det_cholesky)",
    "test_gaussian_mixture_log_probabilities": f"{PRIVATE} (_estimate_log_gaussian_prob)",
}

# Every test of the KDE suite applies. One fails by design: test_kernel_density_sampling
# expects NotImplementedError from sample() with the epanechnikov, exponential, linear and
# cosine kernels; KernelDensity draws from every kernel (tests/density/test_sampling.py).
KDE = {
}

HIERARCHY = {
    "TestInconsistent::test_inconsistent_tdist":
        NO_LINKAGE + "inconsistent",
    "TestCopheneticDistance::test_linkage_cophenet_tdist_Z":
        NO_LINKAGE + "cophenet",
    "TestCopheneticDistance::test_linkage_cophenet_tdist_Z_Y":
        NO_LINKAGE + "cophenet",
    "TestCopheneticDistance::test_gh_22183":
        NO_LINKAGE + "cophenet",
    "TestMLabLinkageConversion::test_mlab_linkage_conversion_empty":
        NO_LINKAGE + "from_mlab_linkage, to_mlab_linkage",
    "TestMLabLinkageConversion::test_mlab_linkage_conversion_single_row":
        NO_LINKAGE + "from_mlab_linkage, to_mlab_linkage",
    "TestMLabLinkageConversion::test_mlab_linkage_conversion_multiple_rows":
        NO_LINKAGE + "from_mlab_linkage, to_mlab_linkage",
    "TestFclusterData::test_fclusterdata":
        NO_LINKAGE + "fclusterdata, is_isomorphic",
    "TestFcluster::test_fcluster":
        NO_LINKAGE + "fcluster, is_isomorphic, single",
    "TestFcluster::test_fcluster_monocrit":
        NO_LINKAGE + "fcluster, is_isomorphic, maxdists, single",
    "TestFcluster::test_fcluster_maxclust_monocrit":
        NO_LINKAGE + "fcluster, is_isomorphic, maxdists, single",
    "TestFcluster::test_fcluster_maxclust_gh_12651":
        NO_LINKAGE + "fcluster, single",
    "TestIsIsomorphic::test_array_like":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_1":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_2":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_3":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_4A":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_4B":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_4C":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_5":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_6":
        NO_LINKAGE + "is_isomorphic",
    "TestIsIsomorphic::test_is_isomorphic_7":
        NO_LINKAGE + "is_isomorphic",
    "TestIsValidLinkage::test_is_valid_linkage_various_size":
        NO_LINKAGE + "is_valid_linkage",
    "TestIsValidLinkage::test_is_valid_linkage_int_type":
        NO_LINKAGE + "is_valid_linkage",
    "TestIsValidLinkage::test_is_valid_linkage_empty":
        NO_LINKAGE + "is_valid_linkage",
    "TestIsValidInconsistent::test_is_valid_im_int_type":
        NO_LINKAGE + "is_valid_im",
    "TestIsValidInconsistent::test_is_valid_im_various_size":
        NO_LINKAGE + "is_valid_im",
    "TestIsValidInconsistent::test_is_valid_im_empty":
        NO_LINKAGE + "is_valid_im",
    "TestNumObsLinkage::test_num_obs_linkage_empty":
        NO_LINKAGE + "num_obs_linkage",
    "TestNumObsLinkage::test_num_obs_linkage_1x4":
        NO_LINKAGE + "num_obs_linkage",
    "TestNumObsLinkage::test_num_obs_linkage_2x4":
        NO_LINKAGE + "num_obs_linkage",
    "TestLeavesList::test_leaves_list_1x4":
        NO_LINKAGE + "leaves_list, to_tree",
    "TestLeavesList::test_leaves_list_2x4":
        NO_LINKAGE + "leaves_list, to_tree",
    "TestCorrespond::test_correspond_empty":
        NO_LINKAGE + "correspond",
    "TestIsMonotonic::test_is_monotonic_empty":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_1x4":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_2x4_T":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_2x4_F":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_3x4_T":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_3x4_F1":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_3x4_F2":
        NO_LINKAGE + "is_monotonic",
    "TestIsMonotonic::test_is_monotonic_3x4_F3":
        NO_LINKAGE + "is_monotonic",
    "TestMaxDists::test_maxdists_empty_linkage":
        NO_LINKAGE + "maxdists",
    "TestMaxDists::test_maxdists_one_cluster_linkage":
        NO_LINKAGE + "maxdists",
    "TestMaxInconsts::test_maxinconsts_empty_linkage":
        NO_LINKAGE + "maxinconsts",
    "TestMaxInconsts::test_maxinconsts_difrow_linkage":
        NO_LINKAGE + "maxinconsts",
    "TestMaxInconsts::test_maxinconsts_one_cluster_linkage":
        NO_LINKAGE + "maxinconsts",
    "TestMaxRStat::test_maxRstat_invalid_index":
        NO_LINKAGE + "maxRstat",
    "TestMaxRStat::test_maxRstat_empty_linkage":
        NO_LINKAGE + "maxRstat",
    "TestMaxRStat::test_maxRstat_difrow_linkage":
        NO_LINKAGE + "maxRstat",
    "TestMaxRStat::test_maxRstat_one_cluster_linkage":
        NO_LINKAGE + "maxRstat",
    "TestDendrogram::test_valid_label_size":
        NO_LINKAGE + "dendrogram",
    "test_node_compare":
        NO_LINKAGE + "to_tree, ward",
    "test_cut_tree":
        NO_LINKAGE + "cut_tree, ward",
    "test_Heap":
        NO_LINKAGE + "Heap (private scipy._hierarchy)",
}

NOT_APPLICABLE = {
    "k_means": K_MEANS,
    "gaussian_mixture": GAUSSIAN_MIXTURE,
    "kde": KDE,
    "hierarchy": HIERARCHY,
}
