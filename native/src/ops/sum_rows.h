/* The bias gradient (sum_rows). Part of impl.h, included once by each ISA file. */
/* db[j] = Σ_r dz[r, j], float32, r ascending */
static void sum_rows_impl(const float *dz, float *db, int rows, int cols) {
  for (int j = 0; j < cols; j++) db[j] = 0.0f;
  for (int r = 0; r < rows; r++) {
    const float *row = dz + (size_t)r * cols;
    for (int j = 0; j < cols; j++) db[j] = db[j] + row[j];
  }
}
