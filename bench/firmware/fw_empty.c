/* Footprint baseline: the board's startup code and runtime (semihosting
 * exit) with an empty main(). bench/footprint subtracts its size from
 * fw_minimal's and fw_fullapi's. */
int main(void);

int main(void)
{
    return 0;
}
