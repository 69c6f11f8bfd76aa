/* placeholder */
int ks_live_placeholder(void);
int ks_live_placeholder(void) { return 0; }
