/* placeholder: replaced by the engine implementation */
int ks_engine_placeholder(void);
int ks_engine_placeholder(void) { return 0; }
