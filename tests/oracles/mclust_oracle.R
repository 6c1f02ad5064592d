# Fixtures from R's mclust for tests/oracles/test_mclust_oracle.py.
#
# For each data set (Old Faithful, iris' four measurements, UCI seeds' seven),
# mclust's default initial partitions (model-based agglomerative hc, VVV on the
# scaled SVD of the data, mclust.options("hcUse") = "SVD") for k = 1..9, then
# for all fourteen models and every k one EM run (mclust::me) from that
# partition with tight tolerances, so both sides reach the same optimum; plus
# Mclust()'s own choice with its defaults.
#
# Usage: Rscript tests/oracles/mclust_oracle.R [OUT_DIR DATA_DIR TESTS_DATA_DIR [SETS]]
# (SETS: comma-separated names, default all).
# (needs Debian's r-cran-mclust and r-cran-jsonlite).
suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/oracles/fixtures"
data_dir <- if (length(args) >= 2) args[2] else "src/clusterlab/datasets/data"
tests_data <- if (length(args) >= 3) args[3] else "tests/data"
only <- if (length(args) >= 4) strsplit(args[4], ",")[[1]] else NULL

models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
            "EEV", "VEV", "EVV", "VVV")
ks <- 1:9
ctrl <- emControl(tol = c(1e-10, 1e-12))

load_sets <- function() {
  faithful <- read.csv(file.path(data_dir, "faithful.csv"), row.names = 1)
  iris <- read.csv(file.path(data_dir, "iris.csv"), row.names = 1)[, 1:4]
  seeds <- as.matrix(read.table(file.path(tests_data, "seeds_dataset.txt")))[, 1:7]
  list(faithful = as.matrix(faithful), iris = as.matrix(iris), seeds = unname(seeds))
}

one_fit <- function(X, model, labels, k) {
  z <- unmap(labels, groups = 1:k)
  fit <- tryCatch(me(X, modelName = model, z = z, control = ctrl, warn = FALSE),
                  error = function(e) NULL)
  n <- nrow(X); d <- ncol(X)
  npar <- nMclustParams(model, d, k)
  if (is.null(fit) || is.null(fit$loglik) || !is.finite(fit$loglik)) {
    return(list(model = model, k = k, loglik = NULL, bic = NULL, n_parameters = npar,
                converged = FALSE, iterations = NULL))
  }
  its <- attr(fit, "info")
  list(model = model, k = k, loglik = fit$loglik,
       bic = 2 * fit$loglik - npar * log(n), n_parameters = npar,
       converged = is.null(fit$returnCode) || fit$returnCode == 0,
       iterations = if (is.null(its)) NULL else unname(its[1]))
}

sets <- load_sets()
for (name in if (is.null(only)) names(sets) else only) {
  X <- sets[[name]]
  tree <- hc(X, modelName = "VVV", use = "SVD")
  parts <- hclass(tree, ks)
  partitions <- lapply(ks, function(k) as.integer(parts[, k]))
  fits <- list()
  for (k in ks) for (m in models) fits[[length(fits) + 1]] <- one_fit(X, m, partitions[[k]], k)
  best <- Mclust(X, G = ks, modelNames = models, verbose = FALSE)
  out <- list(dataset = name, mclust_version = as.character(packageVersion("mclust")),
              n = nrow(X), d = ncol(X), tol = c(1e-10, 1e-12), partitions = partitions,
              fits = fits,
              mclust_best = list(model = best$modelName, k = best$G, bic = best$bic))
  write(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null"),
        file.path(out_dir, paste0("mclust_", name, ".json")))
}
